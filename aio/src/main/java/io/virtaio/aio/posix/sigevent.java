package io.virtaio.aio.posix;

import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * {@code struct sigevent} (POSIX.1-2017 signal.h): how a completion is notified. A new sigevent is all zeros, as
 * a calloc'ed C struct is: {@code SIGEV_SIGNAL} with signal 0, the null signal, which notifies nobody.
 */
public final class sigevent {
    /** {@link Aio#SIGEV_NONE}, {@link Aio#SIGEV_SIGNAL} or {@link Aio#SIGEV_THREAD}. */
    public int sigev_notify;
    /** The signal for SIGEV_SIGNAL: 1..{@link Aio#SIGRTMAX}, or 0 for none. */
    public int sigev_signo;
    /** The value passed to the handler (si_value) or the function. */
    public final sigval sigev_value = new sigval();
    /** SIGEV_THREAD: called with sigev_value on a thread of its own. */
    public Consumer<sigval> sigev_notify_function;
    /**
     * SIGEV_THREAD: the "thread attributes" ({@code pthread_attr_t *}): a factory for the notification thread, or
     * null for the runtime's notification executor (a virtual thread per notification by default).
     */
    public ThreadFactory sigev_notify_attributes;

    public sigevent() {
    }

    /** A sigevent for SIGEV_NONE. */
    public static sigevent none() {
        sigevent s = new sigevent();
        s.sigev_notify = Aio.SIGEV_NONE;
        return s;
    }

    /** A sigevent for SIGEV_SIGNAL with {@code signo} and an integer value. */
    public static sigevent signal(int signo, int value) {
        sigevent s = new sigevent();
        s.sigev_notify = Aio.SIGEV_SIGNAL;
        s.sigev_signo = signo;
        s.sigev_value.sival_int = value;
        return s;
    }

    /** A sigevent for SIGEV_THREAD calling {@code function}. */
    public static sigevent thread(Consumer<sigval> function, Object value) {
        sigevent s = new sigevent();
        s.sigev_notify = Aio.SIGEV_THREAD;
        s.sigev_notify_function = function;
        s.sigev_value.sival_ptr = value;
        return s;
    }

    /** Copies every field of {@code o} into this one. */
    public void set(sigevent o) {
        sigev_notify = o.sigev_notify;
        sigev_signo = o.sigev_signo;
        sigev_value.sival_int = o.sigev_value.sival_int;
        sigev_value.sival_ptr = o.sigev_value.sival_ptr;
        sigev_notify_function = o.sigev_notify_function;
        sigev_notify_attributes = o.sigev_notify_attributes;
    }
}
