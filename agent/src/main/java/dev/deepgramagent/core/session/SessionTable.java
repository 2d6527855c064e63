package dev.deepgramagent.core.session;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Socket object to session (or any value), by identity, without allocating on lookup (the audio send path looks
 * up on every frame). Open addressing over a copy-on-write array: lookups read a volatile snapshot;
 * inserts and removals, once per session, copy it. Keys are weak, so a socket the app drops
 * without any end event can never be kept alive by the agent.
 */
final class SessionTable<V> {

    private static final class Slot<V> {
        final WeakReference<Object> key;
        final int hash;
        final V session;

        Slot(Object key, int hash, V session) {
            this.key = new WeakReference<>(key);
            this.hash = hash;
            this.session = session;
        }
    }

    @SuppressWarnings("unchecked")
    private volatile Slot<V>[] slots = new Slot[16];
    private int size;

    V get(Object socket) {
        Slot<V>[] table = slots;
        int mask = table.length - 1;
        int hash = System.identityHashCode(socket);
        for (int i = mix(hash) & mask, probes = 0; probes < table.length; i = (i + 1) & mask, probes++) {
            Slot<V> slot = table[i];
            if (slot == null) {
                return null;
            }
            if (slot.hash == hash && slot.key.get() == socket) {
                return slot.session;
            }
        }
        return null;
    }

    synchronized void put(Object socket, V session) {
        List<Slot<V>> live = liveSlots(null);
        live.add(new Slot<>(socket, System.identityHashCode(socket), session));
        rebuild(live);
    }

    /** The session of {@code from} is now found under {@code to}; @return it, or null if {@code from} had none. */
    synchronized V rekey(Object from, Object to) {
        V session = get(from);
        if (session == null) {
            return null;
        }
        List<Slot<V>> live = liveSlots(session);
        live.add(new Slot<>(to, System.identityHashCode(to), session));
        rebuild(live);
        return session;
    }

    synchronized void remove(V session) {
        List<Slot<V>> live = liveSlots(session);
        if (live.size() != size) {
            rebuild(live);
        }
    }

    /** Removes and returns the sessions whose socket was garbage collected without an end event. */
    synchronized List<V> sweepOrphans() {
        List<V> orphans = new ArrayList<>();
        for (Slot<V> s : slots) {
            if (s != null && s.key.get() == null) {
                orphans.add(s.session);
            }
        }
        if (!orphans.isEmpty()) {
            rebuild(liveSlots(null));
        }
        return orphans;
    }

    synchronized List<V> sessions() {
        List<V> out = new ArrayList<>();
        for (Slot<V> s : liveSlots(null)) {
            out.add(s.session);
        }
        return out;
    }

    synchronized int size() {
        return liveSlots(null).size();
    }

    private List<Slot<V>> liveSlots(V except) {
        List<Slot<V>> live = new ArrayList<>(size + 1);
        for (Slot<V> s : slots) {
            if (s != null && s.session != except && s.key.get() != null) {
                live.add(s);
            }
        }
        return live;
    }

    @SuppressWarnings("unchecked")
    private void rebuild(List<Slot<V>> live) {
        int capacity = 16;
        while (capacity < live.size() * 3) {
            capacity <<= 1;
        }
        Slot<V>[] table = new Slot[capacity];
        int mask = capacity - 1;
        for (Slot<V> s : live) {
            int i = mix(s.hash) & mask;
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
            table[i] = s;
        }
        size = live.size();
        slots = table;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }
}
