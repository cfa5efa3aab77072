/**
 * The request engine: what an asynchronous operation is and how it completes, independent of descriptor kinds and
 * of the POSIX façade. Internal to the runtime, not API.
 *
 * <p>{@link io.virtaio.aio.engine.Request} carries one operation; its status is published with a release store
 * before anyone is told (waiters, completion rings, notifications, lists). A request is owned by whoever submits
 * it until it is handed to its descriptor's executor, then by that executor until it completes.
 *
 * <p>Threads: requests are submitted from any thread and completed on file workers or event loops; waiting
 * ({@link io.virtaio.aio.engine.Waiter}) parks without holding monitors. Allocation: none per request on the
 * SIGEV_NONE path; a {@link io.virtaio.aio.engine.Notification} is allocated per submission that asks for a signal
 * or a thread, and a {@code Waiter[]} when several threads wait on one request. Checked here: double completion
 * (an internal error), AIO_MAX, completion-ring capacity. Argument checks belong to the façade.
 */
package io.virtaio.aio.engine;
