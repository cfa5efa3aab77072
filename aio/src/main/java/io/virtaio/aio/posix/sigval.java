package io.virtaio.aio.posix;

/**
 * {@code union sigval} (POSIX.1-2017 signal.h): the value a notification carries. Java has no unions, so both
 * members are present; the runtime copies both at submission and hands both back.
 */
public final class sigval {
    /** Integer signal value. */
    public int sival_int;
    /** Pointer signal value: any object (often the aiocb itself). */
    public Object sival_ptr;

    public sigval() {
    }

    public sigval(int sival_int, Object sival_ptr) {
        this.sival_int = sival_int;
        this.sival_ptr = sival_ptr;
    }

    @Override
    public String toString() {
        return "sigval[" + sival_int + ", " + sival_ptr + "]";
    }
}
