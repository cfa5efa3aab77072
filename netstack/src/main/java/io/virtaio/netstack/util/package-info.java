/**
 * Small allocation-free data structures the protocol layers share.
 *
 * <p>Thread: confined to the stack's loop thread, like everything they serve. Nothing here allocates after
 * construction; capacities are fixed when built, and a full structure says so through its return value.
 */
package io.virtaio.netstack.util;
