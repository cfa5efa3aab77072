/**
 * TCP (RFC 9293) for the stack: connections, listeners, and the performance and survival machinery a production
 * TCP needs — window scaling and timestamps with PAWS (RFC 7323), SACK (RFC 2018) with RFC 6675 loss recovery,
 * RACK-TLP (RFC 8985), NewReno (RFC 5681, RFC 6582) and CUBIC (RFC 9438) congestion control, RFC 6298
 * retransmission timing, RFC 5961 blind-attack defences, RFC 6528 ISNs, SYN cookies (RFC 4987).
 *
 * <p><b>Shape.</b> {@link io.virtaio.netstack.tcp.TcpLayer} is the stack's entry point (input, ICMP errors, output
 * once per poll); {@link io.virtaio.netstack.tcp.TcpSocket} is the application's. Inside, one concern per file:
 * {@code TcpInput} (segment arrival, §3.10.7), {@code TcpOutput} (what goes out and how it is written),
 * {@code Connection} (the TCB and its transitions), {@code Sender} / {@code Receiver} (the two halves),
 * {@code SentLog} + {@code Scoreboard} (segments in flight, SACK, pipe), {@code Rack} (RACK-TLP),
 * {@code RttEstimator}, {@code CongestionControl} with {@code NewReno} and {@code Cubic}, {@code SendBuffer} /
 * {@code ReceiveBuffer} / {@code Assembler} (native rings, out-of-order placement), {@code BufferPool},
 * {@code ConnectionTable} / {@code TupleIndex} (demultiplexing), {@code Ports}, {@code PassiveOpen} +
 * {@code SynQueue} + {@code SynCookies}, {@code TimeWaitTable}, {@code Isn} + {@code SipHash}.
 *
 * <p><b>Thread.</b> Everything here is confined to the stack's thread: the loop that polls it (or the simulator).
 * No locks, no threads, no sleeps, no clock: time comes in as {@code nowNs}, timers live on the context's
 * {@link io.virtaio.netstack.time.TimerWheel}, randomness comes from the context's seeded source and keys.
 *
 * <p><b>Allocation.</b> The established data path allocates nothing: segment input (data or ACK), output of data
 * and ACKs, {@code send}/{@code recv}. Views are reused through {@code wrap}; per-connection structures (rings in
 * native memory from a bounded pool, the segment log, the out-of-order interval set, timers) are allocated at
 * connection setup. Setup and teardown (connect, accept, close), counters snapshots and {@code TcpInfo} allocate.
 * Buffer autotuning (as Linux: the send buffer follows twice cwnd, the receive buffer twice what the application
 * reads per round trip) moves a ring into a larger one from the pool a few times while a connection speeds up: a
 * control event bounded by {@link io.virtaio.netstack.tcp.TcpConfig}, not the steady state.
 *
 * <p><b>What is checked.</b> Every received segment: length and header length, checksum (unless the device vouched
 * for it), option syntax, addresses (no broadcast or multicast), then sequence acceptability, PAWS, RST and SYN
 * validity (RFC 5961), the ACK range, the window. Violations are counted by reason and dropped, answered by an
 * ACK or a RST as the RFCs say; nothing a peer sends throws. Misuse of the socket API (bad offsets) throws;
 * everything else returns {@code -errno}.
 *
 * <p><b>Choices where the RFCs leave room or Linux differs</b> (each cited where implemented): zero-window probes
 * are ACKs one below SND.UNA as in Linux, not an octet of new data; slow start counts every acknowledged byte
 * (no RFC 3465 L limit, as Linux with stretch ACKs); Nagle is Minshall's variant; recovery uses RFC 6937 PRR
 * counted in whole segments; a segment without timestamps after negotiation is dropped (RFC 7323 §3.2 SHOULD);
 * RST in TIME_WAIT ends it (RFC 9293, not RFC 1337); while cookies are in use, an ACK whose cookie fails is
 * dropped, not reset; urgent data is delivered in line (RFC 6093). Not implemented: HyStart, F-RTO/undo, ECN,
 * TCP Fast Open, MD5/AO, PLPMTUD (PMTU comes from ICMP fragmentation-needed with a next-hop MTU), RFC 6298 §5.7's
 * 3 s RTO after a SYN timeout (as Linux), splitting of partially SACKed segments.
 *
 * <p><b>Bounds.</b> Connections (socket table + orphans), the SYN queue (per listener and stack-wide), TIME_WAIT
 * entries, out-of-order ranges per connection, segments in flight per connection, and native buffer memory are
 * all bounded by {@link io.virtaio.netstack.tcp.TcpConfig}; hitting a bound is a counted drop or an error code.
 */
package io.virtaio.netstack.tcp;
