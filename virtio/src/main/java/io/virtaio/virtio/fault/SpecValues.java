package io.virtaio.virtio.fault;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Values of the SPEC grammar: probabilities, durations, rates, sizes, counts and IPv4 addresses, parsed exactly
 * (with {@link BigDecimal}, so {@code 0.1%} is the double nearest 0.001 and prints back as {@code 0.1%}) and printed
 * in one canonical form. Parsers throw {@link Bad} with the reason; the SPEC parser adds the token and column.
 */
final class SpecValues {
    private SpecValues() {
    }

    /** A value that does not parse; the caller knows where it is. */
    static final class Bad extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Bad(String reason) {
            super(reason, null, false, false);
        }
    }

    private static final long NS_PER_US = 1_000L;
    private static final long NS_PER_MS = 1_000_000L;
    private static final long NS_PER_S = 1_000_000_000L;

    private static BigDecimal decimal(String text, String what) {
        if (text.isEmpty()) {
            throw new Bad(what + " is empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && c != '.') {
                throw new Bad(what + " '" + text + "' is not a plain decimal number");
            }
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new Bad(what + " '" + text + "' is not a number");
        }
    }

    /** {@code 2%} (0..100 with a percent sign) or {@code 0.02} (0..1 without). */
    static double probability(String text) {
        boolean percent = text.endsWith("%");
        BigDecimal v = decimal(percent ? text.substring(0, text.length() - 1) : text, "probability");
        if (percent) {
            v = v.movePointLeft(2);
        }
        if (v.compareTo(BigDecimal.ONE) > 0) {
            throw new Bad("probability '" + text + "' is above 1" + (percent ? " (100%)" : " (write " + text
                    + "% for a percentage)"));
        }
        return v.doubleValue();
    }

    /** A probability as a percentage, exactly as the shortest decimal of the double: 0.001 → {@code 0.1%}. */
    static String percent(double p) {
        return plain(BigDecimal.valueOf(p).movePointRight(2)) + "%";
    }

    private static String plain(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        return (s.signum() == 0 ? BigDecimal.ZERO : s).toPlainString();
    }

    /** {@code 0}, or a number with a unit: {@code ns}, {@code us}, {@code ms}, {@code s}; a whole number of ns. */
    static long duration(String text) {
        if (text.equals("0")) {
            return 0;
        }
        long unit;
        String number;
        if (text.endsWith("ns")) {
            unit = 1;
            number = text.substring(0, text.length() - 2);
        } else if (text.endsWith("us")) {
            unit = NS_PER_US;
            number = text.substring(0, text.length() - 2);
        } else if (text.endsWith("ms")) {
            unit = NS_PER_MS;
            number = text.substring(0, text.length() - 2);
        } else if (text.endsWith("s")) {
            unit = NS_PER_S;
            number = text.substring(0, text.length() - 1);
        } else {
            throw new Bad("duration '" + text + "' needs a unit: ns, us, ms or s");
        }
        BigDecimal ns = decimal(number, "duration").multiply(BigDecimal.valueOf(unit));
        try {
            return ns.longValueExact();
        } catch (ArithmeticException e) {
            throw new Bad("duration '" + text + "' is not a whole number of nanoseconds below 2^63");
        }
    }

    /** A duration in the largest unit that states it exactly: 1500000 → {@code 1500us}, 2000000000 → {@code 2s}. */
    static String duration(long ns) {
        if (ns == 0) {
            return "0";
        }
        if (ns % NS_PER_S == 0) {
            return ns / NS_PER_S + "s";
        }
        if (ns % NS_PER_MS == 0) {
            return ns / NS_PER_MS + "ms";
        }
        if (ns % NS_PER_US == 0) {
            return ns / NS_PER_US + "us";
        }
        return ns + "ns";
    }

    /** Bits per second: a number and {@code bit}, {@code kbit}, {@code mbit} or {@code gbit} (powers of 1000). */
    static long rate(String text) {
        long unit;
        String number;
        if (text.endsWith("gbit")) {
            unit = 1_000_000_000L;
            number = text.substring(0, text.length() - 4);
        } else if (text.endsWith("mbit")) {
            unit = 1_000_000L;
            number = text.substring(0, text.length() - 4);
        } else if (text.endsWith("kbit")) {
            unit = 1_000L;
            number = text.substring(0, text.length() - 4);
        } else if (text.endsWith("bit")) {
            unit = 1L;
            number = text.substring(0, text.length() - 3);
        } else {
            throw new Bad("rate '" + text + "' needs a unit: bit, kbit, mbit or gbit (bits per second)");
        }
        BigDecimal bits = decimal(number, "rate").multiply(BigDecimal.valueOf(unit));
        try {
            long v = bits.longValueExact();
            if (v <= 0) {
                throw new Bad("rate '" + text + "' must be above 0");
            }
            return v;
        } catch (ArithmeticException e) {
            throw new Bad("rate '" + text + "' is not a whole number of bits per second below 2^63");
        }
    }

    static String rate(long bitsPerSecond) {
        if (bitsPerSecond % 1_000_000_000L == 0) {
            return bitsPerSecond / 1_000_000_000L + "gbit";
        }
        if (bitsPerSecond % 1_000_000L == 0) {
            return bitsPerSecond / 1_000_000L + "mbit";
        }
        if (bitsPerSecond % 1_000L == 0) {
            return bitsPerSecond / 1_000L + "kbit";
        }
        return bitsPerSecond + "bit";
    }

    /** Bytes: a whole number, optionally with {@code b}, {@code kb}, {@code mb} (1000) or {@code kib}, {@code mib}. */
    static long size(String text) {
        long unit = 1;
        String number = text;
        if (text.endsWith("kib")) {
            unit = 1024;
            number = text.substring(0, text.length() - 3);
        } else if (text.endsWith("mib")) {
            unit = 1024 * 1024;
            number = text.substring(0, text.length() - 3);
        } else if (text.endsWith("kb")) {
            unit = 1000;
            number = text.substring(0, text.length() - 2);
        } else if (text.endsWith("mb")) {
            unit = 1_000_000;
            number = text.substring(0, text.length() - 2);
        } else if (text.endsWith("b")) {
            number = text.substring(0, text.length() - 1);
        }
        BigDecimal bytes = decimal(number, "size").multiply(BigDecimal.valueOf(unit));
        try {
            return bytes.longValueExact();
        } catch (ArithmeticException e) {
            throw new Bad("size '" + text + "' is not a whole number of bytes below 2^63");
        }
    }

    static String size(long bytes) {
        if (bytes != 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "mib";
        }
        if (bytes != 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "kib";
        }
        return bytes + "b";
    }

    /** A whole number in {@code [min, max]}. */
    static int integer(String text, String what, int min, int max) {
        if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new Bad(what + " '" + text + "' is not a whole number");
        }
        BigInteger v = new BigInteger(text);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new Bad(what + " " + text + " outside " + min + ".." + max);
        }
        return v.intValue();
    }

    /** A dotted-quad IPv4 address as an int (first octet most significant). */
    static int ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new Bad("'" + text + "' is not a dotted-quad IPv4 address");
        }
        int a = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                throw new Bad("'" + text + "' is not a dotted-quad IPv4 address");
            }
            a = (a << 8) | integer(p, "address octet", 0, 255);
        }
        return a;
    }

    static String ipv4(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "."
                + (address & 0xFF);
    }
}
