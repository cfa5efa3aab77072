/**
 * Linux network namespaces and the host tools around them (iproute2, nftables, tc, tshark), for interop tests and
 * for {@code virtaio serve --netns}: create a namespace, move a TAP's kernel side into it, give it addresses, run
 * programs inside it, delete it.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Control path only.</b> Every call forks a command and waits for it (with a deadline); nothing here is
 *       for a data path. Thread-safe.</li>
 *   <li><b>Errors.</b> A command that cannot start, times out or exits nonzero is a
 *       {@link io.virtaio.virtio.netns.CommandException} carrying the command line, exit status and stderr.</li>
 *   <li><b>Cleanup.</b> A namespace this package creates is named {@code <prefix>-<pid>-<n>} and deleted by
 *       {@code close()}, by a JVM shutdown hook if nobody closed it, and — after a kill that skipped the hooks — by
 *       {@link io.virtaio.virtio.netns.NetNamespace#reapStale} at the next start, which spares the namespaces of
 *       live processes.</li>
 * </ul>
 */
package io.virtaio.virtio.netns;
