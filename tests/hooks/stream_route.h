/* The test-only streaming route, linked into the test-hooks builds only
 * (build/test-hooks/app.fcgi, build/testhooks/bootstrap; mk/stream.mk). */
#ifndef TESTS_HOOKS_STREAM_ROUTE_H
#define TESTS_HOOKS_STREAM_ROUTE_H

/* Registers GET /__test/stream (app_set_test_routes). */
void stream_route_register(void);

#endif
