package io.virtaio.aio.channels;

import java.util.concurrent.CompletableFuture;

/**
 * The future of one channel operation. {@link #cancel} follows the JDK's asynchronous channels: with
 * {@code mayInterruptIfRunning} the channel is closed (the operation fails with AsynchronousCloseException behind
 * the cancelled future); without, the operation is withdrawn if it has not moved a byte yet (the direction stays
 * usable, since nothing happened to the buffer), else cancel returns false and the operation goes on.
 *
 * <p>Dependent stages run where the channel delivers completions: on its group's executor, or on the loop thread
 * for a group that delivers inline (then they must not block either).
 */
public final class ChannelFuture<T> extends CompletableFuture<T> {
    private final Direction direction;

    ChannelFuture(Direction direction) {
        this.direction = direction;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (isDone()) {
            return false;
        }
        if (mayInterruptIfRunning) {
            boolean cancelled = super.cancel(true);
            direction.core.closeQuietly();
            return cancelled;
        }
        return direction.core.withdraw(direction, this) && isCancelled();
    }

    /** Completes as cancelled from the channel (the withdrawn operation's completion). */
    void cancelled() {
        super.cancel(false);
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }
}
