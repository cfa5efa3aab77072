/**
 * Wire formats of the network stack: Ethernet II, ARP, IPv4, ICMPv4, UDP and TCP, in the style of smoltcp's
 * {@code wire} module.
 *
 * <h2>Two kinds of type</h2>
 * <ul>
 *   <li><b>Views</b> ({@link io.virtaio.netstack.wire.EthernetFrame}, {@link io.virtaio.netstack.wire.ArpPacket},
 *       {@link io.virtaio.netstack.wire.Ipv4Packet}, {@link io.virtaio.netstack.wire.Icmpv4Packet},
 *       {@link io.virtaio.netstack.wire.UdpDatagram}, {@link io.virtaio.netstack.wire.TcpSegment}) are mutable,
 *       reusable windows onto a {@link java.lang.foreign.MemorySegment}: {@code wrap(seg, offset, length)} points one
 *       at a byte range and returns it, getters and setters read and write big-endian fields in place. With
 *       {@link io.virtaio.netstack.wire.TcpOptions} and the static helpers ({@link io.virtaio.netstack.wire.Checksum},
 *       {@link io.virtaio.netstack.wire.TcpOptionWriter}, {@link io.virtaio.netstack.wire.Seq}, the address and
 *       constant classes) they allocate nothing, so the receive and transmit paths use them.</li>
 *   <li><b>Reprs</b> ({@code EthernetRepr}, {@code ArpRepr}, {@code Ipv4Repr}, {@code Icmpv4Repr}, {@code UdpRepr},
 *       {@code TcpRepr}) are immutable records of a header's meaning, with {@code parse(view)},
 *       {@code emit(view)}, {@code headerLength()} and {@code bufferLength()}. They allocate, and serve tests,
 *       control paths and convenience. They never hold {@code byte[]}: payloads stay in the buffer and are
 *       described by length (their offset is the view's {@code payloadOffset()}).</li>
 * </ul>
 *
 * <h2>What is checked</h2>
 * Packet bytes are hostile. A view's {@code int check()} validates the header against the wrapped length and
 * returns {@link io.virtaio.netstack.wire.WireError#OK} or a negative {@code WireError} code; it never throws, for
 * any bytes and any length. Checksums are verified separately ({@code verifyChecksum}), so a caller can trust a
 * device that did it, and TCP options by {@link io.virtaio.netstack.wire.TcpOptions#parse}. Getters, payload
 * accessors, checksum and option methods are valid only after {@code check()} returned OK; then none of them
 * touches a byte outside {@code [offset, offset + length)}. Length fields are trusted only as far as
 * {@code check()} bounded them by the buffer. Policy (is this address mine, is this flag combination legal in this
 * state) belongs to the stack, not here.
 *
 * <p>Misuse throws at once: {@code wrap} with a range outside the segment ({@link IndexOutOfBoundsException}); a
 * Repr with a field out of range or emitted into a view too small, or a setter given a header length, fragment
 * offset or MAC address its field cannot hold ({@link IllegalArgumentException}). The other setters store the low
 * bits of their argument.
 *
 * <h2>Emitting</h2>
 * Wrap the output buffer, write the payload at the header length, then {@code repr.emit(view)} (for UDP and TCP
 * {@code emit(view, src, dst)}, for the pseudo-header) writes the header and fills the checksum over what is there.
 * ICMP and TCP have no length field: their views must span exactly the message. For checksum offload, write the
 * header with the setters and call {@code fillPartialChecksum}.
 *
 * <h2>Conventions</h2>
 * IPv4 addresses are {@code int}s in network order ({@link io.virtaio.netstack.wire.Ipv4Address}); MAC addresses
 * are the low 48 bits of a {@code long} ({@link io.virtaio.netstack.wire.MacAddress}); ports and 16-bit fields are
 * {@code int}s; sequence numbers and timestamps are raw {@code int}s compared with
 * {@link io.virtaio.netstack.wire.Seq}. Protocol numbers are {@code int} constants with a {@code name(int)}, since
 * the wire may carry values no enum knows.
 *
 * <h2>Threads</h2>
 * Views and {@code TcpOptions} are not thread-safe: each belongs to the loop thread that owns its stack (and to the
 * buffer it wraps while that thread holds it). Records and static methods may be used from any thread.
 */
package io.virtaio.netstack.wire;
