/**
 * {@code ./virtaio bench tap}: our stack through a Linux TAP against Linux over a veth pair, one TCP connection,
 * bulk goodput and round-trip latency, measured in the same run ({@link io.virtaio.bench.tap.TapBench}).
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Network.</b> Only namespaces it creates ({@code vbench-<pid>-<n>}), addresses from 198.18.0.0/15; every
 *       namespace, link and process is removed when a topology closes, by the JVM's exit hook otherwise, and by the
 *       next run for a run that was killed.</li>
 *   <li><b>Threads.</b> The benchmark drives everything from the calling thread; our server runs on its node's loop,
 *       the Linux client and servers ({@link io.virtaio.bench.tap.LinuxPeer}) in JVMs of their own.</li>
 *   <li><b>Measured.</b> Bulk: from the client's first write until the server's close after the last byte. Round
 *       trips: on the client, with HdrHistogram. The client is the same program for both rows.</li>
 * </ul>
 */
package io.virtaio.bench.tap;
