package io.virtaio.bench.cli;

import java.util.Locale;

/** Parses the sizes, rates and durations the command line accepts ("64M", "1gbit", "100us"). */
final class Units {
    private Units() {
    }

    /** Bytes with an optional binary suffix: K, M, G (also KiB, MiB, GiB). "64M" is 64 MiB. */
    static long bytes(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT).replace("IB", "").replace("B", "");
        long mult = 1;
        if (t.endsWith("K")) {
            mult = 1L << 10;
        } else if (t.endsWith("M")) {
            mult = 1L << 20;
        } else if (t.endsWith("G")) {
            mult = 1L << 30;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t);
            if (v < 0 || v > Long.MAX_VALUE / mult) {
                throw new IllegalArgumentException("size out of range: " + s);
            }
            return v * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size: '" + s + "' (examples: 1000, 64K, 100M, 2G)");
        }
    }

    /** Bits per second: "unlimited" (0), or a number with kbit, mbit, gbit (decimal, as link rates are). */
    static long rate(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("unlimited") || t.equals("0")) {
            return 0;
        }
        long mult;
        if (t.endsWith("gbit")) {
            mult = 1_000_000_000L;
        } else if (t.endsWith("mbit")) {
            mult = 1_000_000L;
        } else if (t.endsWith("kbit")) {
            mult = 1_000L;
        } else if (t.endsWith("bit")) {
            mult = 1;
        } else {
            throw new IllegalArgumentException("not a rate: '" + s + "' (examples: 1gbit, 200mbit, unlimited)");
        }
        String num = t.substring(0, t.length() - (mult == 1 ? 3 : 4));
        try {
            double v = Double.parseDouble(num);
            if (!(v > 0)) {
                throw new IllegalArgumentException("rate must be positive: " + s);
            }
            return Math.round(v * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a rate: '" + s + "' (examples: 1gbit, 200mbit, unlimited)");
        }
    }

    /** Nanoseconds: a number with ns, us, ms or s ("0" alone is allowed). */
    static long duration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return 0;
        }
        long mult;
        int cut;
        if (t.endsWith("ns")) {
            mult = 1;
            cut = 2;
        } else if (t.endsWith("us") || t.endsWith("µs")) {
            mult = 1_000;
            cut = 2;
        } else if (t.endsWith("ms")) {
            mult = 1_000_000;
            cut = 2;
        } else if (t.endsWith("s")) {
            mult = 1_000_000_000L;
            cut = 1;
        } else {
            throw new IllegalArgumentException("not a duration: '" + s + "' (examples: 100us, 1ms, 2s)");
        }
        try {
            double v = Double.parseDouble(t.substring(0, t.length() - cut));
            if (v < 0) {
                throw new IllegalArgumentException("duration must not be negative: " + s);
            }
            return Math.round(v * mult);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration: '" + s + "' (examples: 100us, 1ms, 2s)");
        }
    }
}
