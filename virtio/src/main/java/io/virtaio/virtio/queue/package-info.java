/**
 * Split virtqueues (virtio 1.2 §2.7), byte-exact in guest memory.
 *
 * <p>{@link io.virtaio.virtio.queue.SplitQueueDriver} and {@link io.virtaio.virtio.queue.SplitQueueDevice} are
 * two views over the same rings that share no Java object but the memory segment, so each side may run on its own
 * thread. Each view is confined to one thread; neither allocates after construction.
 *
 * <p>Ordering, as the spec requires (§2.7.13, §2.7.7, §2.7.10) and as Linux and vhost implement it: descriptors
 * and ring slots are plain stores published by a release store of the index; the peer acquires the index before
 * reading them; a full fence separates publishing an index from reading the peer's event index or flags, and
 * re-enabling notifications from re-checking the ring.
 *
 * <p>Errors: misuse by the caller (an empty chain, a buffer outside guest memory, pushing a head that is not in
 * flight) throws {@link java.lang.IllegalArgumentException}. Anything wrong in what the other side wrote is a
 * {@link io.virtaio.virtio.queue.Violation}: the queue breaks, the hot-path calls return
 * {@link io.virtaio.virtio.queue.QueueStatus#BROKEN}, and the reason names the rule and the index. No call ever
 * reads or writes outside the guest memory region or loops unboundedly.
 */
package io.virtaio.virtio.queue;
