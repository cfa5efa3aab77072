package io.virtaio.netstack.tcp;

/**
 * A congestion controller: owns cwnd and ssthresh (RFC 5681 §3.1) in bytes and reacts to the sender's events.
 * The sender decides when an event happened (new data acknowledged outside recovery, loss detected, RTO); the
 * controller decides by how much the window moves. Loss recovery itself (what to retransmit, pipe) is the
 * sender's, common to every controller.
 */
sealed interface CongestionControl permits NewReno, Cubic {
    long cwnd();

    long ssthresh();

    /** RFC 6928 / RFC 5681 §3.1: the initial window at connection start. */
    void init(long initialWindowBytes);

    /**
     * New data was cumulatively acknowledged outside loss recovery.
     *
     * @param ackedBytes   bytes newly acknowledged (cumulatively or by SACK)
     * @param mss          SMSS
     * @param cwndLimited  whether the sender was limited by cwnd (RFC 7661: do not grow an unused window)
     */
    void onAck(long ackedBytes, int mss, long nowNs, long srttNs, boolean cwndLimited);

    /** A loss starts fast recovery (RFC 5681 §3.2 step 2; RFC 9438 §4.6): set ssthresh, cwnd = ssthresh. */
    void onLoss(long flightBytes, int mss, long nowNs);

    /** A retransmission timeout (RFC 5681 §3.1 eq. 4; RFC 9438 §4.8): ssthresh reduced, cwnd = 1 SMSS. */
    void onTimeout(long flightBytes, int mss, long nowNs);

    /** RFC 5681 §4.1: after an idle period longer than the RTO, restart from at most the initial window. */
    void onIdleRestart(long restartWindowBytes);

    /** Sets cwnd directly (recovery exit per RFC 6582 §3.2 step 3, proportional reduction). */
    void setCwnd(long bytes);

    String name();

    /** The controller configured by name ("cubic" or "newreno"). */
    static CongestionControl of(String name) {
        return name.equals("newreno") ? new NewReno() : new Cubic();
    }
}
