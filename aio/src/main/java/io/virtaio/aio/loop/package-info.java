/**
 * Event loops: one platform thread per network node, busy while there is work and parked when there is none,
 * fed through a bounded lock-free MPSC submission ring (JCTools) and woken by submissions and device doorbells.
 *
 * <p>Threads: {@link io.virtaio.aio.loop.EventLoop#offer} and {@link io.virtaio.aio.loop.EventLoop#wakeup} from
 * any thread, never blocking; everything a loop owns (its pollables, what its handler touches) from the loop
 * thread only. Allocation: none per submission or round. Checked here: ring capacity (offer returns false).
 */
package io.virtaio.aio.loop;
