/**
 * Time without a clock: a hierarchical {@link io.virtaio.netstack.time.TimerWheel} whose time is passed in, and a
 * {@link io.virtaio.netstack.time.TokenBucket} rate limiter.
 *
 * <p>Thread: the stack's. Arming, cancelling and taking tokens are O(1) and allocate nothing. Timers never fire early
 * and at most one tick (about a microsecond) late; the wheel may ask to be advanced early, to cascade a far timer.
 */
package io.virtaio.netstack.time;
