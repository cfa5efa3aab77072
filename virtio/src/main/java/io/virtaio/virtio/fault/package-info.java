/**
 * Fault injection below the network stack: network faults on the frames a virtio-net device sends and receives,
 * and virtio-level faults that only an emulated device can inject — lost and spurious notifications, completions
 * out of order, DEVICE_NEEDS_RESET in the middle of traffic, hostile ring contents.
 *
 * <h2>Network faults</h2>
 * {@link io.virtaio.virtio.fault.FaultStage} wraps any {@link io.virtaio.virtio.backend.Backend} and impairs both
 * directions independently: random and Gilbert–Elliott burst loss, duplication, reordering, corruption that the
 * receiver's FCS or checksums always catch, delay with jitter, token-bucket rate limiting, MTU black holes, link
 * down and one-way partitions — each for all frames or only those a {@link io.virtaio.virtio.fault.FaultRule}
 * selects (a port, TCP flags, the Nth data segment of a connection, any {@link
 * io.virtaio.virtio.fault.FramePredicate}). A {@link io.virtaio.virtio.fault.FaultPlan} says what, in a compact
 * SPEC ({@code loss=2%,delay=1ms~300us,[tcp sport=80 nth=3]{drop}}); a {@link io.virtaio.virtio.fault.FaultSchedule}
 * says when ({@code at 2s set loss=10%; at 5s heal}).
 *
 * <h2>Virtio-level faults</h2>
 * {@link io.virtaio.virtio.fault.DeviceFaults} is a backend wrapper that, on the device's own clock, sets
 * DEVICE_NEEDS_RESET, resets the device behind the driver's back, starves the receive queue, flaps the link,
 * defers and permutes transmit completions ({@link io.virtaio.virtio.fault.CompletionShuffler}), interposes
 * {@link io.virtaio.virtio.fault.FaultyDoorbell}s on kicks and interrupts, and has a
 * {@link io.virtaio.virtio.fault.RingSaboteur} write the rings as a misbehaving driver or device would.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Threads.</b> A stage is confined to the thread that polls its device (the simulator, or the loop that
 *       owns both ends of an in-process wire); plans and schedules are immutable values any thread may build.</li>
 *   <li><b>Time.</b> Only the {@code nowNs} of the calls: no clock is read, no thread started.</li>
 *   <li><b>Determinism.</b> All randomness derives from one seed, one {@link java.util.SplittableRandom} stream per
 *       direction, rule and impairment; the same seed and inputs give the same outputs, bit for bit, and a change
 *       to one impairment leaves the decisions of the others unchanged.</li>
 *   <li><b>Allocation.</b> Construction allocates every buffer and table; the per-frame path allocates nothing,
 *       capture comments included. Parsing, printing and reading events allocate.</li>
 *   <li><b>Bounds.</b> Held frames, tracked flows and logged events have fixed capacities; past them frames are
 *       dropped, flows untracked and old events overwritten — always counted.</li>
 *   <li><b>Errors.</b> Malformed specs and arguments throw at once ({@link io.virtaio.virtio.fault.FaultSpecException}
 *       names the bad token); the per-frame path never throws (a throwing predicate counts as no match).</li>
 * </ul>
 */
package io.virtaio.virtio.fault;
