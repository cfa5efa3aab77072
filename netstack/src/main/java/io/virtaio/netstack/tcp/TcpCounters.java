package io.virtaio.netstack.tcp;

import java.util.LinkedHashMap;
import java.util.Map;

/** Stack-wide TCP counters: a {@code long[]} indexed by constant, so counting allocates nothing. */
final class TcpCounters {
    static final int SEGS_IN = 0;
    static final int SEGS_OUT = 1;
    static final int BYTES_IN = 2;
    static final int BYTES_OUT = 3;
    static final int RETRANS_SEGS = 4;
    static final int RETRANS_RTO = 5;
    static final int RETRANS_FAST = 6;
    static final int RETRANS_TLP = 7;
    static final int SACK_RECOVERIES = 8;
    static final int RENO_RECOVERIES = 9;
    static final int TLP_PROBES = 10;
    static final int TLP_RECOVERIES = 11;
    static final int DUP_ACKS = 12;
    static final int OOO_SEGS = 13;
    static final int DSACKS_RECEIVED = 14;
    static final int DROP_CHECKSUM = 15;
    static final int DROP_MALFORMED = 16;
    static final int DROP_BAD_OPTION = 17;
    static final int DROP_OUT_OF_WINDOW = 18;
    static final int DROP_PAWS = 19;
    static final int DROP_NO_TIMESTAMP = 20;
    static final int DROP_NO_SOCKET = 21;
    static final int DROP_BACKLOG_FULL = 22;
    static final int DROP_SYN_QUEUE_FULL = 23;
    static final int DROP_REASSEMBLY = 24;
    static final int DROP_BAD_ACK = 25;
    static final int DROP_NO_MEMORY = 26;
    static final int DROP_BAD_ADDRESS = 27;
    static final int CHALLENGE_ACKS = 28;
    static final int CHALLENGE_ACKS_LIMITED = 29;
    static final int COOKIES_SENT = 30;
    static final int COOKIES_VALIDATED = 31;
    static final int COOKIES_FAILED = 32;
    static final int RST_SENT = 33;
    static final int RST_RECEIVED = 34;
    static final int ACTIVE_OPENS = 35;
    static final int PASSIVE_OPENS = 36;
    static final int CONN_ESTABLISHED = 37;
    static final int CONN_RESETS = 38;
    static final int CONN_TIMEOUTS = 39;
    static final int CONN_REFUSED = 40;
    static final int TIME_WAIT_ENTERED = 41;
    static final int TIME_WAIT_EVICTED = 42;
    static final int TIME_WAIT_REUSED = 43;
    static final int ICMP_ERRORS = 44;
    static final int ICMP_IGNORED = 45;
    static final int PMTU_UPDATES = 46;
    static final int PERSIST_PROBES = 47;
    static final int KEEPALIVE_PROBES = 48;
    static final int TX_NO_BUFFER = 49;
    static final int TX_NO_ROUTE = 50;
    static final int ORPHANS_RESET = 51;
    static final int SYN_QUEUE_ADDED = 52;
    static final int SYNACK_RETRANS = 53;
    static final int SYN_QUEUE_EXPIRED = 54;
    /** Retransmission timer expiries with data in flight (Linux TCPTimeouts); RETRANS_RTO counts segments. */
    static final int RTO_EXPIRATIONS = 55;
    static final int COUNT = 56;

    private static final String[] NAMES = {
        "segsIn", "segsOut", "bytesIn", "bytesOut", "retransSegs", "retransRto", "retransFast", "retransTlp",
        "sackRecoveries", "renoRecoveries", "tlpProbes", "tlpRecoveries", "dupAcks", "outOfOrderSegs",
        "dsacksReceived", "dropChecksum", "dropMalformed", "dropBadOption", "dropOutOfWindow", "dropPaws",
        "dropNoTimestamp", "dropNoSocket", "dropBacklogFull", "dropSynQueueFull", "dropReassembly", "dropBadAck",
        "dropNoMemory", "dropBadAddress", "challengeAcks", "challengeAcksLimited", "cookiesSent",
        "cookiesValidated", "cookiesFailed", "rstSent", "rstReceived", "activeOpens", "passiveOpens",
        "established", "resets", "timeouts", "refused", "timeWaitEntered", "timeWaitEvicted", "timeWaitReused",
        "icmpErrors", "icmpIgnored", "pmtuUpdates", "persistProbes", "keepAliveProbes", "txNoBuffer", "txNoRoute",
        "orphansReset", "synQueueAdded", "synAckRetransmits", "synQueueExpired", "rtoExpirations",
    };

    private final long[] v = new long[COUNT];

    void inc(int c) {
        v[c]++;
    }

    void add(int c, long n) {
        v[c] += n;
    }

    long get(int c) {
        return v[c];
    }

    /** Every counter by name (control path: allocates). */
    Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < COUNT; i++) {
            m.put("tcp." + NAMES[i], v[i]);
        }
        return m;
    }

    static {
        if (NAMES.length != COUNT) {
            throw new AssertionError("counter names out of step");
        }
    }
}
