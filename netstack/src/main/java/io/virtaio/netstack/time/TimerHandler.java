package io.virtaio.netstack.time;

/** What a {@link Timer} does when it fires; runs on the thread that polls the wheel. */
@FunctionalInterface
public interface TimerHandler {
    /** @param nowNs the time passed to {@link TimerWheel#advance}, never before the timer's deadline */
    void onTimer(long nowNs);
}
