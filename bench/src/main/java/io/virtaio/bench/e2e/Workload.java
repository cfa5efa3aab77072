package io.virtaio.bench.e2e;

/** The end-to-end workloads of {@code ./virtaio bench}; names as they appear in the JSON report. */
public enum Workload {
    /** One TCP connection, 64 KiB writes one way for a fixed volume: goodput. */
    BULK("bulk"),
    /** One connection, 64-byte request, 64-byte response, one outstanding: round trips/s and latency. */
    RPC("rpc"),
    /** 64 connections doing {@link #RPC} concurrently: total round trips/s and latency. */
    RPC_64("rpc-64");

    /** Request and response size of the RPC workloads. */
    public static final int MESSAGE_BYTES = 64;
    /** Write size of the bulk workload. */
    public static final int BULK_CHUNK = 64 * 1024;
    /** Connections of {@link #RPC_64}. */
    public static final int RPC_CONNECTIONS = 64;

    private final String label;

    Workload(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public int connections() {
        return this == RPC_64 ? RPC_CONNECTIONS : 1;
    }

    public static Workload of(String label) {
        for (Workload w : values()) {
            if (w.label.equals(label)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + label + "' (bulk, rpc, rpc-64)");
    }
}
