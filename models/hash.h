/* hash: the project's stable non-cryptographic hash, 64-bit FNV-1a.
 *
 * Used for hash tables, strong ETags and ids that must be stable across runs
 * and machines (so no seed). Not for anything an attacker must not predict:
 * server/peers.c, whose keys are client addresses, mixes them with a seed of
 * its own. */
#ifndef ARTICLED_HASH_H
#define ARTICLED_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a of data[0..len). */
uint64_t hash_fnv1a(const void *data, size_t len);

#endif
