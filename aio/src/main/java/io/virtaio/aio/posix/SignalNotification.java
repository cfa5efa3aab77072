package io.virtaio.aio.posix;

import io.virtaio.aio.engine.Notification;

/** SIGEV_SIGNAL: queues the signal with si_code SI_ASYNCIO and the submission's sigev_value. */
final class SignalNotification implements Notification {
    private final Signals signals;
    private final int signo;
    private final int sivalInt;
    private final Object sivalPtr;

    SignalNotification(Signals signals, int signo, sigval value) {
        this.signals = signals;
        this.signo = signo;
        this.sivalInt = value.sival_int;
        this.sivalPtr = value.sival_ptr;
    }

    @Override
    public void fire(Runnable handedOff) {
        signals.queueCompletion(signo, sivalInt, sivalPtr, handedOff);
    }
}
