package io.virtaio.netstack.wire;

/** Argument checks for the misuse tier: a field out of range or a buffer too small is a caller's bug. */
final class Require {
    private Require() {}

    static void atLeast(int viewLength, int needed) {
        if (viewLength < needed) {
            throw new IllegalArgumentException("buffer of " + viewLength + " bytes, need " + needed);
        }
    }

    static void exactly(int viewLength, int needed) {
        if (viewLength != needed) {
            throw new IllegalArgumentException(
                    "view spans " + viewLength + " bytes but the message is " + needed
                            + " (its length is the view's: wrap exactly the message)");
        }
    }

    static int range(String what, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(what + " not in " + min + ".." + max + ": " + value);
        }
        return value;
    }
}
