package io.virtaio.netstack.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.virtaio.netstack.wire.SackBlock;
import io.virtaio.netstack.wire.TcpFlags;
import io.virtaio.netstack.wire.TcpRepr;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP segment in the scripted tests' DSL: built to inject ({@code seg().syn().seq(1000).mss(1460)}) or to match
 * an emitted one, where only the fields set are compared (flags exactly, except PSH unless set).
 */
final class Seg {
    Integer flags;
    boolean pshSet;
    Integer seq;
    Integer ack;
    Integer window;
    Integer mss;
    Integer ws;
    Boolean sackPerm;
    Integer tsVal;
    Integer tsEcr;
    boolean noTs;
    List<SackBlock> sack;
    Integer len;
    byte[] payload;
    Integer srcPort;
    Integer dstPort;

    static Seg seg() {
        return new Seg();
    }

    private Seg flag(int f) {
        flags = (flags == null ? 0 : flags) | f;
        return this;
    }

    Seg syn() {
        return flag(TcpFlags.SYN);
    }

    Seg synAck() {
        return flag(TcpFlags.SYN | TcpFlags.ACK);
    }

    Seg ack() {
        return flag(TcpFlags.ACK);
    }

    Seg fin() {
        return flag(TcpFlags.FIN);
    }

    Seg rst() {
        return flag(TcpFlags.RST);
    }

    Seg psh() {
        pshSet = true;
        return flag(TcpFlags.PSH);
    }

    Seg flagsExactly(int f) {
        flags = f;
        return this;
    }

    Seg seq(int s) {
        seq = s;
        return this;
    }

    Seg ack(int a) {
        ack = a;
        return flag(TcpFlags.ACK);
    }

    /** Sets the acknowledgment field without the ACK flag (for RST/garbage tests). */
    Seg ackField(int a) {
        ack = a;
        return this;
    }

    Seg win(int w) {
        window = w;
        return this;
    }

    Seg mss(int m) {
        mss = m;
        return this;
    }

    Seg ws(int shift) {
        ws = shift;
        return this;
    }

    Seg sackPerm() {
        sackPerm = true;
        return this;
    }

    Seg noSackPerm() {
        sackPerm = false;
        return this;
    }

    Seg ts(int val, int ecr) {
        tsVal = val;
        tsEcr = ecr;
        return this;
    }

    Seg tsEcr(int ecr) {
        tsEcr = ecr;
        return this;
    }

    Seg noTs() {
        noTs = true;
        return this;
    }

    Seg sack(int... edges) {
        sack = new ArrayList<>();
        for (int i = 0; i < edges.length; i += 2) {
            sack.add(new SackBlock(edges[i], edges[i + 1]));
        }
        return this;
    }

    Seg noSack() {
        sack = List.of();
        return this;
    }

    /** {@code n} payload bytes of a pattern derived from the sequence number. */
    Seg len(int n) {
        len = n;
        return this;
    }

    Seg data(byte[] bytes) {
        payload = bytes;
        len = bytes.length;
        return this;
    }

    Seg ports(int src, int dst) {
        srcPort = src;
        dstPort = dst;
        return this;
    }

    /** Asserts that {@code r} (emitted at {@code atNs}) matches every field set here. */
    void assertMatches(TcpRepr r, String context) {
        try {
            if (flags != null) {
                int ignore = pshSet ? 0 : TcpFlags.PSH;
                assertEquals(TcpFlags.toString(flags & ~ignore), TcpFlags.toString(r.flags() & ~ignore), "flags");
            }
            if (seq != null) {
                assertEquals(Integer.toUnsignedString(seq), Integer.toUnsignedString(r.seq()), "seq");
            }
            if (ack != null) {
                assertEquals(Integer.toUnsignedString(ack), Integer.toUnsignedString(r.ack()), "ack");
            }
            if (window != null) {
                assertEquals(window.intValue(), r.window(), "window");
            }
            if (mss != null) {
                assertEquals(mss.intValue(), r.mss(), "mss option");
            }
            if (ws != null) {
                assertEquals(ws.intValue(), r.windowScale(), "window scale option");
            }
            if (sackPerm != null) {
                assertEquals(sackPerm, r.sackPermitted(), "SACK-permitted option");
            }
            if (noTs && r.hasTimestamps()) {
                fail("unexpected timestamps option");
            }
            if (tsVal != null) {
                assertEquals(Integer.toUnsignedString(tsVal), Integer.toUnsignedString(r.tsVal()), "TSval");
            }
            if (tsEcr != null) {
                assertEquals(Integer.toUnsignedString(tsEcr), Integer.toUnsignedString(r.tsEcr()), "TSecr");
            }
            if (sack != null) {
                assertEquals(sack, r.sackBlocks(), "SACK blocks");
            }
            if (len != null) {
                assertEquals(len.intValue(), r.payloadLength(), "payload length");
            }
        } catch (AssertionError e) {
            throw new AssertionError(context + ": " + e.getMessage() + "\n  got " + r, e);
        }
    }

    @Override
    public String toString() {
        return "Seg[flags=" + (flags == null ? "*" : TcpFlags.toString(flags)) + " seq=" + seq + " ack=" + ack
                + " len=" + len + "]";
    }
}
