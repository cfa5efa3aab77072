/**
 * ARP for IPv4 over Ethernet (RFC 826, RFC 1122 §2.3.2, RFC 5227 §3): the neighbour cache and the protocol.
 *
 * <p>What is checked: hardware and protocol types and opcodes (by the wire view); the sender's MAC must be an
 * individual address and its IP address a single host's, not ours (a conflict); only packets that target our
 * address add entries, and any packet updates an entry it names (RFC 826 merge). Entries expire after
 * {@code arpCacheTimeoutNs}; a resolution sends at most {@code arpMaxRetries} requests, one per
 * {@code arpRetryIntervalNs}; a failed neighbour is unreachable for one more interval. The cache holds 256 entries
 * and evicts, when full, the entry expiring first among those not being resolved.
 *
 * <p>Thread: the stack's. Receiving, answering and looking up allocate nothing.
 */
package io.virtaio.netstack.arp;
