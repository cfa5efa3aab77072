package io.virtaio.virtio.fault;

import java.io.Serial;

/**
 * A malformed {@link FaultPlan} SPEC or {@link FaultSchedule}: names the token that is wrong, where it starts and
 * why, e.g. {@code bad fault spec at column 9, token 'dup=2': probability '2' is above 1 (write 2% for a
 * percentage)}.
 */
public final class FaultSpecException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String token;
    private final int column;
    private final String reason;

    FaultSpecException(String what, String token, int column, String reason) {
        super("bad " + what + (column >= 0 ? " at column " + column : "") + ", token '" + token + "': " + reason);
        this.token = token;
        this.column = column;
        this.reason = reason;
    }

    /** The offending token, as written. */
    public String token() {
        return token;
    }

    /** Where the token starts in the text parsed (0-based), or -1 if unknown. */
    public int column() {
        return column;
    }

    /** Why the token was refused. */
    public String reason() {
        return reason;
    }
}
