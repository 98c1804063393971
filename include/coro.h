/*
 * coro.h - the stackless coroutine core.
 *
 * A coroutine is a struct that begins with `struct coro` and a step function
 * that switches on `co.state`: each call runs until the next suspension point
 * and returns one of the codes below. Locals that must survive a yield live in
 * the struct, not on the C stack (the Protothreads rule), so a coroutine costs
 * a few bytes, needs no stack of its own and is transparent to ASan and gdb.
 *
 * We write the switch by hand instead of using Protothreads' LC_SET macros:
 * those rely on implicit fallthrough into `case __LINE__:`, which gcc 12
 * rejects under -Wextra -Werror, and an explicit enum reads better anyway.
 *
 * Nothing here knows about passwords, HTTP or threads.
 */
#ifndef PWGEND_CORO_H
#define PWGEND_CORO_H

/* Step results. Errors are negative errno values (e.g. -ENOMEM). */
enum coro_result {
	CORO_DONE = 0,   /* finished; its result is complete */
	CORO_YIELD = 1,  /* suspended; call step again later */
};

/* Where a coroutine is. 0 is always "not started yet", so a zeroed struct is a
 * fresh coroutine; each coroutine defines its own later states. */
struct coro {
	unsigned state;
};

#define CORO_START 0u

static inline void coro_reset(struct coro *co)
{
	co->state = CORO_START;
}

#endif
