/**
 * What {@code ./virtaio serve} is made of, reusable on its own: a TAP as a node's cable, and small TCP servers
 * written against the public API only, so that they double as examples.
 *
 * <ul>
 *   <li>{@link io.virtaio.bench.serve.TapAttachment} — a TAP whose kernel end is moved into a network namespace and
 *       addressed, and the backend chain our device is built on (capture, fault stage); {@code node(stack)} makes
 *       the runtime node; {@link io.virtaio.bench.serve.TapNode} is a runtime with that one node.</li>
 *   <li>{@link io.virtaio.bench.serve.StackServer} — a {@code StackServerSocketChannel} that accepts and runs a
 *       {@link io.virtaio.bench.serve.Service} on each connection: echo (RFC 862), discard (RFC 863) or HTTP/1.x
 *       (RFC 9112), each one connection class of completion handlers; counted in
 *       {@link io.virtaio.bench.serve.ServerCounters}.</li>
 * </ul>
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> A connection runs on its completion handlers, one operation at a time, so its state needs
 *       no lock; with {@code StackChannelGroup.LOOP_THREAD} every handler runs on the node's loop and must not block
 *       (none does). Counters are atomic; any thread may read them.</li>
 *   <li><b>Allocation.</b> Per connection: its buffers (echo 64 KiB, discard 256 KiB, HTTP 16 KiB + a response
 *       buffer). Per operation: the boxed byte count of the handler call. Per HTTP request: the parsed head and the
 *       response head.</li>
 *   <li><b>Checked.</b> HTTP request heads (length, request line, version, Host, Content-Length, no
 *       Transfer-Encoding) — a bad one is answered with its 4xx/5xx and the connection closed. Network set-up
 *       failures throw with the command and what it printed; everything made until then is removed.</li>
 * </ul>
 */
package io.virtaio.bench.serve;
