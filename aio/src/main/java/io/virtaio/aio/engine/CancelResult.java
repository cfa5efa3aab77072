package io.virtaio.aio.engine;

/** What a cancellation found, numbered as aio.h numbers {@code AIO_CANCELED}, {@code AIO_NOTCANCELED}, {@code AIO_ALLDONE}. */
public final class CancelResult {
    private CancelResult() {
    }

    /** Every request asked for was canceled. */
    public static final int CANCELED = 0;
    /** At least one request could not be canceled because it is in progress. */
    public static final int NOTCANCELED = 1;
    /** Every request asked for had already completed (or there was none). */
    public static final int ALLDONE = 2;

    /** Combines the outcome over several requests, as aio_cancel(fd, NULL) reports it. */
    public static int of(int canceled, int inProgress) {
        if (inProgress > 0) {
            return NOTCANCELED;
        }
        return canceled > 0 ? CANCELED : ALLDONE;
    }
}
