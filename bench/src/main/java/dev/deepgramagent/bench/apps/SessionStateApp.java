package dev.deepgramagent.bench.apps;

import dev.deepgramagent.config.AgentConfig;
import dev.deepgramagent.config.ConfigLoader;
import dev.deepgramagent.core.session.SessionEngine;
import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.metrics.AgentMetrics;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The heap the agent keeps per open session, measured exactly: the agent's own session engine
 * (with its metrics listener, as the agent runs it) tracks n sockets through open, audio and a
 * result, and the live heap it added is divided by n. Measured through real OkHttp sockets the
 * figure drowns in OkHttp's own 20-25 KB per socket, which varies by more than the agent's share
 * between runs. Run with -XX:+UseSerialGC. Argument: n.
 */
public final class SessionStateApp {

    private static final String URL = "wss://api.deepgram.com/v1/listen?encoding=linear16&sample_rate=16000&channels=1";
    private static final String RESULT = "{\"type\":\"Results\",\"start\":0.0,\"duration\":0.02,\"is_final\":true,"
            + "\"channel\":{\"alternatives\":[{\"transcript\":\"\"}]}}";

    private SessionStateApp() {
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        AgentConfig config = ConfigLoader.load("", Map.of(), Map.of(), warning -> {
            throw new IllegalStateException(warning);
        });
        SessionEngine engine = new SessionEngine(config);
        engine.register("okhttp", new SocketControl() {
            @Override
            public boolean sendText(Object socket, Object state, String text) {
                return true;
            }

            @Override
            public boolean close(Object socket, Object state, int code, String reason) {
                return true;
            }
        });
        engine.addListener(new AgentMetrics(engine, List.of("okhttp"), "bench", "active"));

        // The app's sockets exist before and after: they are not the agent's cost.
        Object[] sockets = new Object[n + 1];
        for (int i = 0; i < sockets.length; i++) {
            sockets[i] = new Object();
        }
        track(engine, sockets[n]); // the first session starts the engine's lazy parts
        long baseline = ProcStatus.liveHeapBytes();
        for (int i = 0; i < n; i++) {
            track(engine, sockets[i]);
        }
        long tracked = ProcStatus.liveHeapBytes();
        ProcStatus.report("heap_per_session_bytes", (tracked - baseline) / (double) n);
        ProcStatus.report("sessions_tracked", engine.openSessions());
        System.exit(0);
    }

    private static void track(SessionEngine engine, Object socket) {
        engine.created(socket, "okhttp", URL, null);
        engine.opened(socket, UUID.randomUUID().toString()); // dg-request-id, kept for the end report
        engine.binarySent(socket, 640, null);
        engine.textReceived(socket, RESULT);
    }
}
