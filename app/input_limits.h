/* Input limits shared by every target: past them a request gets a 4xx, never more memory. */
#ifndef APP_INPUT_LIMITS_H
#define APP_INPUT_LIMITS_H

/* Path plus query string, as received (encoded). Larger: 414. */
#define LIMIT_TARGET_BYTES (64 * 1024)

/* Request body. Larger: 413. APP_MAX_BODY_BYTES in the environment may lower or raise it. */
#define LIMIT_BODY_BYTES_DEFAULT (1024 * 1024)

/* Number of request headers (or CGI variables). More: 431. */
#define LIMIT_HEADER_COUNT 200

/* Bytes of all header names and values together. More: 431. */
#define LIMIT_HEADER_BYTES (64 * 1024)

/* The body limit in force: APP_MAX_BODY_BYTES if set to a plain number, else the default. */
unsigned long limit_body_bytes(void);

#endif
