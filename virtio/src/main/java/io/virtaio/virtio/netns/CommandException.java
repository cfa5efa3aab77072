package io.virtaio.virtio.netns;

import java.io.IOException;

/** A host command could not be started, timed out, or exited with a failure status. */
public final class CommandException extends IOException {
    private final transient CommandResult result;

    /**
     * @param message what failed, the command line included
     * @param result  how the command ended, or null (it did not start, did not end, or its output made no sense)
     * @param cause   the underlying exception, or null
     */
    public CommandException(String message, CommandResult result, Throwable cause) {
        super(message, cause);
        this.result = result;
    }

    /** How the command ended, or null if it could not be started or did not end in time. */
    public CommandResult result() {
        return result;
    }
}
