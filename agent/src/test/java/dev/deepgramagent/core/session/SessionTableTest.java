package dev.deepgramagent.core.session;

import dev.deepgramagent.core.DeepgramEndpoints;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class SessionTableTest {

    private static Session session(Object socket) {
        return new Session(socket, "test", DeepgramEndpoints.Endpoint.LISTEN_V1, AudioFormat.fromUrl("ws://h/v1/listen"), 0, null, null);
    }

    @Test
    void lookupIsByIdentity() {
        SessionTable<Session> table = new SessionTable<>();
        String a = new String("socket");
        String b = new String("socket"); // equal, not identical
        Session s = session(a);
        table.put(a, s);
        assertSame(s, table.get(a));
        assertNull(table.get(b));
        table.remove(s);
        assertNull(table.get(a));
        assertEquals(0, table.size());
    }

    @Test
    void manySessionsComeAndGo() {
        SessionTable<Session> table = new SessionTable<>();
        List<Object> sockets = new ArrayList<>();
        List<Session> sessions = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            Object socket = new Object();
            Session s = session(socket);
            sockets.add(socket);
            sessions.add(s);
            table.put(socket, s);
        }
        for (int i = 0; i < 2000; i++) {
            assertSame(sessions.get(i), table.get(sockets.get(i)));
        }
        for (int i = 0; i < 2000; i += 2) {
            table.remove(sessions.get(i));
        }
        assertEquals(1000, table.size());
        for (int i = 0; i < 2000; i++) {
            assertEquals(i % 2 == 0 ? null : sessions.get(i), table.get(sockets.get(i)));
        }
    }
}
