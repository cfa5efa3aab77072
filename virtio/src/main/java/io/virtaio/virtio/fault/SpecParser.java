package io.virtaio.virtio.fault;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the SPEC grammar documented on {@link FaultPlan}. Every error names the token and its column in the text
 * the user wrote ({@link FaultSpecException}).
 */
final class SpecParser {
    /** A token and where it starts in the user's text. */
    private record Item(String text, int column) {
    }

    private final String what;

    private SpecParser(String what) {
        this.what = what;
    }

    /**
     * Parses {@code spec}, whose first character is at column {@code base} of the user's text.
     *
     * @param what "fault spec", or "fault schedule" when inside a schedule
     */
    static FaultPlan plan(String spec, int base, String what) {
        return new SpecParser(what).parsePlan(spec, base);
    }

    private FaultSpecException bad(Item item, String reason) {
        return new FaultSpecException(what, item.text(), item.column(), reason);
    }

    private FaultPlan parsePlan(String spec, int base) {
        if (spec == null) {
            throw new IllegalArgumentException("spec is required");
        }
        Item whole = trim(new Item(spec, base));
        if (whole.text().isEmpty() || whole.text().equals("none")) {
            return FaultPlan.NONE;
        }
        Impairments tx = Impairments.NONE;
        Impairments rx = Impairments.NONE;
        Set<String> txKeys = new HashSet<>();
        Set<String> rxKeys = new HashSet<>();
        List<FaultRule> rules = new ArrayList<>();
        for (Item item : split(whole, ',')) {
            String t = item.text();
            if (t.isEmpty()) {
                throw bad(item, "empty setting (two commas in a row, or a trailing comma?)");
            }
            if (t.equals("none")) {
                throw bad(item, "'none' stands alone: it means no fault at all");
            }
            if (t.startsWith("[")) {
                if (rules.size() == FaultPlan.MAX_RULES) {
                    throw bad(item, "more than " + FaultPlan.MAX_RULES + " rules");
                }
                rules.add(rule(item));
                continue;
            }
            Direction only = null;
            Item setting = item;
            if (t.startsWith("tx.") || t.startsWith("rx.")) {
                only = t.startsWith("tx.") ? Direction.EGRESS : Direction.INGRESS;
                setting = new Item(t.substring(3), item.column() + 3);
            }
            String key = key(setting);
            if (only != Direction.INGRESS) {
                if (!txKeys.add(canonicalKey(key))) {
                    throw bad(item, "'" + key + "' is set twice for tx");
                }
                tx = apply(tx, setting);
            }
            if (only != Direction.EGRESS) {
                if (!rxKeys.add(canonicalKey(key))) {
                    throw bad(item, "'" + key + "' is set twice for rx");
                }
                rx = apply(rx, setting);
            }
        }
        return new FaultPlan(tx, rx, rules);
    }

    /** {@code drop} and {@code loss} set the same thing. */
    private static String canonicalKey(String key) {
        return key.equals("drop") ? "loss" : key;
    }

    private static String key(Item setting) {
        int eq = setting.text().indexOf('=');
        return eq < 0 ? setting.text() : setting.text().substring(0, eq);
    }

    private FaultRule rule(Item item) {
        String t = item.text();
        int close = t.indexOf(']');
        if (close < 0) {
            throw bad(item, "a rule's selector has no closing ']'");
        }
        if (close + 1 >= t.length() || t.charAt(close + 1) != '{' || !t.endsWith("}")) {
            throw bad(item, "a rule is [selector]{settings}: '{' must follow ']' and '}' end the rule");
        }
        Selector selector = selector(new Item(t.substring(1, close), item.column() + 1));
        Item body = trim(new Item(t.substring(close + 2, t.length() - 1), item.column() + close + 2));
        Impairments imp = Impairments.NONE;
        if (!body.text().equals("none")) {
            if (body.text().isEmpty()) {
                throw bad(item, "a rule needs settings, or {none} to exempt its frames from the plan");
            }
            Set<String> keys = new HashSet<>();
            for (Item s : split(body, ',')) {
                if (s.text().isEmpty()) {
                    throw bad(s, "empty setting in a rule");
                }
                if (s.text().startsWith("tx.") || s.text().startsWith("rx.")) {
                    throw bad(s, "a rule's settings take no tx./rx. prefix: put tx or rx in its selector");
                }
                if (s.text().startsWith("[")) {
                    throw bad(s, "rules do not nest");
                }
                if (!keys.add(canonicalKey(key(s)))) {
                    throw bad(s, "'" + key(s) + "' is set twice in this rule");
                }
                imp = apply(imp, s);
            }
        }
        return FaultRule.of(selector, imp);
    }

    private Selector selector(Item item) {
        Selector s = Selector.ANY;
        boolean any = false;
        for (Item w : words(item)) {
            String t = w.text();
            try {
                int eq = t.indexOf('=');
                String k = eq < 0 ? t : t.substring(0, eq);
                String v = eq < 0 ? null : t.substring(eq + 1);
                if (eq >= 0 && v.isEmpty()) {
                    throw new SpecValues.Bad("'" + k + "' needs a value after '='");
                }
                boolean needsValue = switch (k) {
                    case "host", "src", "dst", "port", "sport", "dport", "nth", "proto", "ethertype", "flags" -> true;
                    case "any", "tx", "rx", "tcp", "udp", "icmp", "arp", "syn", "fin", "rst", "data" -> false;
                    default -> throw new SpecValues.Bad("unknown selector word '" + k + "' (tx, rx, tcp, udp, icmp, "
                            + "arp, host=, src=, dst=, port=, sport=, dport=, syn, fin, rst, data, nth=)");
                };
                if (needsValue != (v != null)) {
                    throw new SpecValues.Bad(needsValue ? "'" + k + "' needs a value: " + k + "=..."
                            : "'" + k + "' takes no value");
                }
                s = switch (k) {
                    case "any" -> {
                        any = true;
                        yield s;
                    }
                    case "tx" -> direction(s, Direction.EGRESS);
                    case "rx" -> direction(s, Direction.INGRESS);
                    case "tcp" -> protocol(s, FrameView.PROTO_TCP);
                    case "udp" -> protocol(s, FrameView.PROTO_UDP);
                    case "icmp" -> protocol(s, FrameView.PROTO_ICMP);
                    case "proto" -> protocol(s, SpecValues.integer(v, "protocol", 0, 255));
                    case "arp" -> s.arp();
                    case "ethertype" -> new Selector(s.direction(), SpecValues.integer(v, "ethertype", 0, 65535),
                            s.protocol(), s.host(), s.src(), s.dst(), s.port(), s.sport(), s.dport(), s.anyFlags(),
                            s.dataOnly(), s.nth());
                    case "host" -> s.host(SpecValues.ipv4(v));
                    case "src" -> s.src(SpecValues.ipv4(v));
                    case "dst" -> s.dst(SpecValues.ipv4(v));
                    case "port" -> s.port(SpecValues.integer(v, "port", 0, 65535));
                    case "sport" -> s.sport(SpecValues.integer(v, "port", 0, 65535));
                    case "dport" -> s.dport(SpecValues.integer(v, "port", 0, 65535));
                    case "syn" -> s.anyFlags(FrameView.SYN);
                    case "fin" -> s.anyFlags(FrameView.FIN);
                    case "rst" -> s.anyFlags(FrameView.RST);
                    case "flags" -> s.anyFlags(SpecValues.integer(v, "flags", 1, 255));
                    case "data" -> s.data();
                    case "nth" -> s.nth(SpecValues.integer(v, "nth", 1, Integer.MAX_VALUE));
                    default -> throw new SpecValues.Bad("unknown selector word '" + k + "' (tx, rx, tcp, udp, icmp, "
                            + "arp, host=, src=, dst=, port=, sport=, dport=, syn, fin, rst, data, nth=)");
                };
            } catch (SpecValues.Bad e) {
                throw bad(w, e.getMessage());
            } catch (IllegalArgumentException e) {
                throw bad(w, e.getMessage());
            }
        }
        if (s.equals(Selector.ANY) && !any) {
            throw bad(item, "empty selector: write [any] to match every frame");
        }
        return s;
    }

    private static Selector direction(Selector s, Direction d) {
        if (s.direction() != null && s.direction() != d) {
            throw new SpecValues.Bad("a selector has one direction: tx or rx, or neither for both");
        }
        return s.withDirection(d);
    }

    private static Selector protocol(Selector s, int p) {
        if (s.protocol() != -1 && s.protocol() != p) {
            throw new SpecValues.Bad("a selector has one protocol");
        }
        return s.withProtocol(p);
    }

    /** Applies one setting ({@code key[=value]}) to {@code imp}. */
    private Impairments apply(Impairments imp, Item setting) {
        String t = setting.text();
        int eq = t.indexOf('=');
        String key = eq < 0 ? t : t.substring(0, eq);
        String value = eq < 0 ? null : t.substring(eq + 1);
        try {
            switch (key) {
                case "drop", "down" -> {
                }
                case "loss", "mtu", "burst", "corrupt", "dup", "rate", "delay", "reorder" -> {
                    if (value == null || value.isEmpty()) {
                        throw new SpecValues.Bad("'" + key + "' needs a value: " + key + "=...");
                    }
                }
                default -> throw new SpecValues.Bad("unknown setting '" + key + "' (down, mtu, loss, drop, burst, "
                        + "corrupt, dup, rate, delay, reorder)");
            }
            return switch (key) {
                case "drop" -> {
                    if (value != null) {
                        throw new SpecValues.Bad("'drop' takes no value (it is loss=100%)");
                    }
                    yield imp.withLoss(1);
                }
                case "down" -> imp.withDown(value == null ? Window.ALWAYS : window(value));
                case "mtu" -> imp.withMtu(SpecValues.integer(value, "mtu", 1, 65535));
                case "loss" -> imp.withLoss(SpecValues.probability(value));
                case "burst" -> imp.withBurst(gilbert(value));
                case "corrupt" -> imp.withCorruption(corruption(value));
                case "dup" -> imp.withDuplication(duplication(value));
                case "rate" -> imp.withRate(rate(value));
                case "delay" -> imp.withDelay(delay(value));
                case "reorder" -> imp.withReordering(reordering(value));
                default -> throw new IllegalStateException(key);
            };
        } catch (SpecValues.Bad e) {
            throw bad(setting, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw bad(setting, e.getMessage());
        }
    }

    private static Window window(String v) {
        int plus = v.indexOf('+');
        if (plus < 0) {
            throw new SpecValues.Bad("a down window is START+DURATION, e.g. down=3s+500ms (or 'down' for now on)");
        }
        long duration = SpecValues.duration(v.substring(plus + 1));
        if (duration == 0) {
            throw new SpecValues.Bad("a down window needs a duration above 0");
        }
        return new Window(SpecValues.duration(v.substring(0, plus)), duration);
    }

    private static GilbertElliott gilbert(String v) {
        String[] p = v.split(":", -1);
        if (!p[0].equals("gilbert")) {
            throw new SpecValues.Bad("unknown burst model '" + p[0] + "' (gilbert:P:R[:LOSS_IN_BAD[:LOSS_IN_GOOD]])");
        }
        if (p.length < 3 || p.length > 5) {
            throw new SpecValues.Bad("gilbert takes 2 to 4 probabilities: gilbert:P:R[:LOSS_IN_BAD[:LOSS_IN_GOOD]]");
        }
        return new GilbertElliott(SpecValues.probability(p[1]), SpecValues.probability(p[2]),
                p.length > 3 ? SpecValues.probability(p[3]) : 1, p.length > 4 ? SpecValues.probability(p[4]) : 0);
    }

    private static Corruption corruption(String v) {
        String[] p = v.split(":", -1);
        if (p.length > 3) {
            throw new SpecValues.Bad("corrupt=P[:FLIPS][:fcs|payload]");
        }
        double probability = SpecValues.probability(p[0]);
        int flips = 1;
        Corruption.Mode mode = Corruption.Mode.FCS;
        boolean flipsSet = false;
        boolean modeSet = false;
        for (int i = 1; i < p.length; i++) {
            if (p[i].equals("fcs") || p[i].equals("payload")) {
                if (modeSet) {
                    throw new SpecValues.Bad("corruption mode given twice");
                }
                mode = p[i].equals("fcs") ? Corruption.Mode.FCS : Corruption.Mode.PAYLOAD;
                modeSet = true;
            } else {
                if (flipsSet || modeSet) {
                    throw new SpecValues.Bad("corrupt=P[:FLIPS][:fcs|payload]: '" + p[i] + "' is out of place");
                }
                flips = SpecValues.integer(p[i], "flips", 1, Corruption.MAX_FLIPS);
                flipsSet = true;
            }
        }
        return new Corruption(probability, flips, mode);
    }

    private static Gap gap(String v) {
        int slash = v.indexOf('/');
        if (slash >= 0) {
            return new Gap(SpecValues.integer(v.substring(0, slash), "frame count", 1, Integer.MAX_VALUE),
                    SpecValues.duration(v.substring(slash + 1)));
        }
        if (!v.isEmpty() && v.chars().allMatch(c -> c >= '0' && c <= '9') && !v.equals("0")) {
            return Gap.frames(SpecValues.integer(v, "frame count", 1, Integer.MAX_VALUE));
        }
        return Gap.time(SpecValues.duration(v));
    }

    private static Duplication duplication(String v) {
        int colon = v.indexOf(':');
        if (colon < 0) {
            return new Duplication(SpecValues.probability(v), Gap.NONE);
        }
        return new Duplication(SpecValues.probability(v.substring(0, colon)), gap(v.substring(colon + 1)));
    }

    private static Reordering reordering(String v) {
        int colon = v.indexOf(':');
        if (colon < 0) {
            throw new SpecValues.Bad("reorder=P:GAP needs a gap: a time (5ms) or a number of frames (3)");
        }
        Gap g = gap(v.substring(colon + 1));
        if (g.isNone()) {
            throw new SpecValues.Bad("a reordering gap must be above 0");
        }
        return new Reordering(SpecValues.probability(v.substring(0, colon)), g);
    }

    private static RateLimit rate(String v) {
        String[] p = v.split(":", -1);
        if (p.length > 3) {
            throw new SpecValues.Bad("rate=RATE[:BURST[:QUEUE]]");
        }
        long bits = SpecValues.rate(p[0]);
        long burst = p.length > 1 ? SpecValues.size(p[1]) : RateLimit.DEFAULT_BURST_BYTES;
        long queue = p.length > 2 ? SpecValues.size(p[2]) : RateLimit.DEFAULT_QUEUE_BYTES;
        return new RateLimit(bits, burst, queue);
    }

    private static Delay delay(String v) {
        String[] p = v.split(":", -1);
        int tilde = p[0].indexOf('~');
        long base = SpecValues.duration(tilde < 0 ? p[0] : p[0].substring(0, tilde));
        long jitter = tilde < 0 ? 0 : SpecValues.duration(p[0].substring(tilde + 1));
        Delay.Distribution dist = Delay.Distribution.UNIFORM;
        boolean reorder = false;
        boolean distSet = false;
        boolean orderSet = false;
        for (int i = 1; i < p.length; i++) {
            switch (p[i]) {
                case "uniform", "normal" -> {
                    if (distSet) {
                        throw new SpecValues.Bad("jitter distribution given twice");
                    }
                    distSet = true;
                    dist = p[i].equals("normal") ? Delay.Distribution.NORMAL : Delay.Distribution.UNIFORM;
                }
                case "fifo", "reorder" -> {
                    if (orderSet) {
                        throw new SpecValues.Bad("fifo/reorder given twice");
                    }
                    orderSet = true;
                    reorder = p[i].equals("reorder");
                }
                default -> throw new SpecValues.Bad("unknown delay option '" + p[i] + "' (uniform, normal, fifo, "
                        + "reorder)");
            }
        }
        if (jitter == 0 && (dist == Delay.Distribution.NORMAL || reorder)) {
            throw new SpecValues.Bad("distribution and reorder apply to jitter: write BASE~JITTER");
        }
        return new Delay(base, jitter, dist, reorder);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Tokens

    private static Item trim(Item item) {
        String t = item.text();
        int start = 0;
        int end = t.length();
        while (start < end && Character.isWhitespace(t.charAt(start))) {
            start++;
        }
        while (end > start && Character.isWhitespace(t.charAt(end - 1))) {
            end--;
        }
        return new Item(t.substring(start, end), item.column() + start);
    }

    /** Splits at {@code sep} outside brackets and braces; each part trimmed. */
    private List<Item> split(Item item, char sep) {
        List<Item> parts = new ArrayList<>();
        String t = item.text();
        int depth = 0;
        int start = 0;
        for (int i = 0; i <= t.length(); i++) {
            char c = i < t.length() ? t.charAt(i) : sep;
            if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
                if (depth < 0) {
                    throw bad(new Item(String.valueOf(c), item.column() + i), "unbalanced '" + c + "'");
                }
            } else if (c == sep && (depth == 0 || i == t.length())) {
                if (i == t.length() && depth != 0) {
                    throw bad(trim(new Item(t.substring(start), item.column() + start)),
                            "unclosed '[' or '{'");
                }
                parts.add(trim(new Item(t.substring(start, i), item.column() + start)));
                start = i + 1;
            }
        }
        return parts;
    }

    /** Whitespace-separated words. */
    private static List<Item> words(Item item) {
        List<Item> out = new ArrayList<>();
        String t = item.text();
        int i = 0;
        while (i < t.length()) {
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < t.length() && !Character.isWhitespace(t.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(new Item(t.substring(start, i), item.column() + start));
            }
        }
        return out;
    }
}
