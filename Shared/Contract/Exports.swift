// Message and case ids are written and read in their text form everywhere the contract is used.
@_exported import HoushiText
