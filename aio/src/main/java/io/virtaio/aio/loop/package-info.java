/**
 * Event loops: one platform thread per network node, busy while there is work and parked when there is none,
 * fed through a bounded lock-free MPSC submission ring (JCTools) and woken by submissions and device doorbells;
 * or, in a simulated runtime, the same loop without a thread, stepped by the simulator.
 *
 * <p>Threads: {@link io.virtaio.aio.loop.EventLoop#offer} and {@link io.virtaio.aio.loop.EventLoop#wakeup} from
 * any thread, never blocking; everything a loop owns (its pollables, what its handler touches) from the loop
 * thread only (in stepped mode: the thread stepping it). Allocation: none per submission or round. Checked here:
 * ring capacity (offer returns false). Parking follows the virtqueue protocol: pollables re-enable their
 * notifications and re-check ({@link io.virtaio.aio.loop.Pollable#prepareToWait}) after the loop announced it is
 * about to sleep.
 */
package io.virtaio.aio.loop;
