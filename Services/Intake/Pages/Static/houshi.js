// A little help on the 登记表, never needed: the deceased's ID number fills sex and age (at the
// time of death) and shows the birth date. The server checks all of it again.
(function () {
  "use strict";
  var id = document.getElementById("deceased_idNumber");
  if (!id) { return; }
  var diedAt = document.getElementById("deceased_diedAt");
  var age = document.getElementById("deceased_age");
  var derived = document.getElementById("deceased_idNumber_derived");

  function birthOf(value) {
    var m = /^\d{6}(\d{4})(\d{2})(\d{2})\d{2}(\d)[\dXx]$/.exec(value.trim());
    if (!m) { return null; }
    return { year: +m[1], month: +m[2], day: +m[3], male: (+m[4]) % 2 === 1 };
  }

  function ageAt(birth, when) {
    var years = when.getFullYear() - birth.year;
    var beforeBirthday = when.getMonth() + 1 < birth.month ||
      (when.getMonth() + 1 === birth.month && when.getDate() < birth.day);
    return beforeBirthday ? years - 1 : years;
  }

  function fill() {
    var birth = birthOf(id.value);
    if (!birth) { derived.textContent = ""; return; }
    derived.textContent = "出生日期 " + birth.year + "年" + birth.month + "月" + birth.day + "日，" + (birth.male ? "男" : "女");
    var sex = document.querySelector('input[name="deceased.sex"][value="' + (birth.male ? "male" : "female") + '"]');
    if (sex) { sex.checked = true; }
    var when = diedAt && diedAt.value ? new Date(diedAt.value) : new Date();
    if (age && !isNaN(when.getTime())) { age.value = ageAt(birth, when); }
  }

  id.addEventListener("change", fill);
  id.addEventListener("input", fill);
  if (diedAt) { diedAt.addEventListener("change", fill); }
}());
