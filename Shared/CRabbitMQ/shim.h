// Thin shim over librabbitmq-c 0.11: the headers, plus what Swift cannot call or import directly.
#ifndef HOUSHI_CRABBITMQ_SHIM_H
#define HOUSHI_CRABBITMQ_SHIM_H

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <amqp_ssl_socket.h>

// amqp_login_with_properties is C-variadic; Swift cannot call it.
static inline amqp_rpc_reply_t houshi_amqp_login_plain(amqp_connection_state_t state, const char *vhost,
                                                      int heartbeat, amqp_table_t *client_properties,
                                                      const char *user, const char *password) {
    return amqp_login_with_properties(state, vhost, AMQP_DEFAULT_MAX_CHANNELS, AMQP_DEFAULT_FRAME_SIZE,
                                      heartbeat, client_properties, AMQP_SASL_METHOD_PLAIN, user, password);
}

// Method numbers and property flags are cast macros, which Swift does not import.
static const amqp_method_number_t houshi_basic_ack_method = AMQP_BASIC_ACK_METHOD;
static const amqp_method_number_t houshi_basic_nack_method = AMQP_BASIC_NACK_METHOD;
static const amqp_method_number_t houshi_basic_return_method = AMQP_BASIC_RETURN_METHOD;
static const amqp_method_number_t houshi_basic_cancel_method = AMQP_BASIC_CANCEL_METHOD;
static const amqp_method_number_t houshi_basic_get_ok_method = AMQP_BASIC_GET_OK_METHOD;
static const amqp_method_number_t houshi_channel_close_method = AMQP_CHANNEL_CLOSE_METHOD;
static const amqp_method_number_t houshi_connection_close_method = AMQP_CONNECTION_CLOSE_METHOD;

static const amqp_flags_t houshi_flag_content_type = AMQP_BASIC_CONTENT_TYPE_FLAG;
static const amqp_flags_t houshi_flag_headers = AMQP_BASIC_HEADERS_FLAG;
static const amqp_flags_t houshi_flag_delivery_mode = AMQP_BASIC_DELIVERY_MODE_FLAG;
static const amqp_flags_t houshi_flag_correlation_id = AMQP_BASIC_CORRELATION_ID_FLAG;
static const amqp_flags_t houshi_flag_message_id = AMQP_BASIC_MESSAGE_ID_FLAG;
static const amqp_flags_t houshi_flag_timestamp = AMQP_BASIC_TIMESTAMP_FLAG;
static const amqp_flags_t houshi_flag_type = AMQP_BASIC_TYPE_FLAG;
static const amqp_flags_t houshi_flag_app_id = AMQP_BASIC_APP_ID_FLAG;
static const amqp_flags_t houshi_flag_user_id = AMQP_BASIC_USER_ID_FLAG;

#endif
