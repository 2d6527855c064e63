package dev.deepgramagent.core.session;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * Socket object to session, by identity, without allocating on lookup (the audio send path looks
 * up on every frame). Open addressing over a copy-on-write array: lookups read a volatile snapshot;
 * inserts and removals, once per session, copy it. Keys are weak, so a socket the app drops
 * without any end event can never be kept alive by the agent.
 */
final class SessionTable {

    private static final class Slot {
        final WeakReference<Object> key;
        final int hash;
        final Session session;

        Slot(Object key, int hash, Session session) {
            this.key = new WeakReference<>(key);
            this.hash = hash;
            this.session = session;
        }
    }

    private volatile Slot[] slots = new Slot[16];
    private int size;

    Session get(Object socket) {
        Slot[] table = slots;
        int mask = table.length - 1;
        int hash = System.identityHashCode(socket);
        for (int i = mix(hash) & mask, probes = 0; probes < table.length; i = (i + 1) & mask, probes++) {
            Slot slot = table[i];
            if (slot == null) {
                return null;
            }
            if (slot.hash == hash && slot.key.get() == socket) {
                return slot.session;
            }
        }
        return null;
    }

    synchronized void put(Object socket, Session session) {
        List<Slot> live = liveSlots(null);
        live.add(new Slot(socket, System.identityHashCode(socket), session));
        rebuild(live);
    }

    /** The session of {@code from} is now found under {@code to}; @return it, or null if {@code from} had none. */
    synchronized Session rekey(Object from, Object to) {
        Session session = get(from);
        if (session == null) {
            return null;
        }
        List<Slot> live = liveSlots(session);
        live.add(new Slot(to, System.identityHashCode(to), session));
        rebuild(live);
        return session;
    }

    synchronized void remove(Session session) {
        List<Slot> live = liveSlots(session);
        if (live.size() != size) {
            rebuild(live);
        }
    }

    /** Removes and returns the sessions whose socket was garbage collected without an end event. */
    synchronized List<Session> sweepOrphans() {
        List<Session> orphans = new ArrayList<>();
        for (Slot s : slots) {
            if (s != null && s.key.get() == null) {
                orphans.add(s.session);
            }
        }
        if (!orphans.isEmpty()) {
            rebuild(liveSlots(null));
        }
        return orphans;
    }

    synchronized List<Session> sessions() {
        List<Session> out = new ArrayList<>();
        for (Slot s : liveSlots(null)) {
            out.add(s.session);
        }
        return out;
    }

    synchronized int size() {
        return liveSlots(null).size();
    }

    private List<Slot> liveSlots(Session except) {
        List<Slot> live = new ArrayList<>(size + 1);
        for (Slot s : slots) {
            if (s != null && s.session != except && s.key.get() != null) {
                live.add(s);
            }
        }
        return live;
    }

    private void rebuild(List<Slot> live) {
        int capacity = 16;
        while (capacity < live.size() * 3) {
            capacity <<= 1;
        }
        Slot[] table = new Slot[capacity];
        int mask = capacity - 1;
        for (Slot s : live) {
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
