package dev.deepgramagent.it;

import java.util.ArrayList;
import java.util.List;

/**
 * What each client library can meet, in one place: the root-cause tables (RootCauseTest,
 * NettyClientTest, ClientLibrariesTest) and the fault matrix (FaultMatrix) read their rows here. A
 * row is {expected root cause, simulator query, SampleApp arguments, extra agent options}; the
 * table's expectation holds in active and observe mode alike.
 */
final class FaultRows {

    /** Every stack the tables and the matrix run, in the matrix's order; the label its sessions carry is {@link #library}. */
    static final List<String> STACKS = List.of("okhttp", "jdk", "netty-4.1", "reactor-netty", "vertx", "nv-websocket", "java-websocket", "jetty", "tyrus");

    private FaultRows() {
    }

    /**
     * The ends every library can meet, with what differs for OkHttp: its own read/ping timeout (a
     * client_timeout row, which the others lack), and waits sized to its 60 s close timeout. The
     * others' unanswered close is bounded by {@code <library>.close.timeout}.
     */
    private static List<Object[]> baseRows(String library) {
        boolean okhttp = library.equals("okhttp");
        List<Object[]> rows = new ArrayList<>(List.of(new Object[][] {
                // root cause, simulator query, app arguments, extra agent options
                {"clean", "", "seconds=1 end=closestream", ""},
                {"client_close_unflushed", "sim_fault=ignore_finalize", "seconds=1.5 end=close", "finalize.timeout=500ms"},
                {"server_idle_timeout", "sim_idle_timeout=1s", "seconds=1 pause_after=0.5 pause=3 end=close wait=5", ""},
                {"server_processing_timeout", "sim_fault=net0000&sim_fault_after=500ms", "seconds=1 realtime=true end=none wait=5", ""},
                {"bad_audio", "sim_fault=bad_audio", "seconds=1 end=none wait=5", ""},
                {"server_error", "sim_fault=close&sim_close_code=1013&sim_close_reason=overloaded&sim_fault_after=300ms",
                        "seconds=1 realtime=true end=none wait=5", ""},
                {"handshake_auth", "sim_fault=reject_401", "seconds=0 end=none wait=5", ""},
                {"handshake_rate_limited", "sim_fault=reject_429", "seconds=0 end=none wait=5", ""},
                {"handshake_rejected", "sim_fault=reject_402", "seconds=0 end=none wait=5", ""},
                {"handshake_server_error", "sim_fault=reject_503", "seconds=0 end=none wait=5", ""},
                {"network_reset", "sim_fault=reset&sim_fault_after=300ms", "seconds=1 realtime=true end=none wait=5", ""},
        }));
        if (okhttp) {
            rows.add(new Object[] {"client_timeout", "sim_fault=half_open&sim_fault_after=300ms",
                    "seconds=1 realtime=true ping_ms=300 end=none wait=8", ""});
        }
        rows.add(new Object[] {"client_cancel", "", okhttp ? "seconds=1 end=cancel" : "seconds=1 end=cancel wait=1", ""});
        rows.add(new Object[] {"close_timeout", "sim_fault=half_open&sim_fault_after=300ms",
                "seconds=1 realtime=true end=close wait=" + (okhttp ? 8 : 3), library + ".close.timeout=1s,finalize.timeout=500ms"});
        rows.add(new Object[] {"jvm_shutdown", "", "seconds=1 realtime=true end=exit", ""});
        rows.add(new Object[] {"message_rejected", "", "seconds=1 text={\"type\":\"Bogus\"} end=none wait=5", ""});
        return rows;
    }

    /** The metrics label of a stack's sessions. */
    static String library(String stack) {
        switch (stack) {
            case "netty-4.1":
            case "netty-4.2":
            case "reactor-netty":
            case "vertx":
                return "netty";
            case "tyrus":
                return "jakarta";
            default:
                return stack;
        }
    }

    /** The Streaming runtime a stack's app runs on: OkHttp 4 for OkHttp and the JDK client, else the stack. */
    static String runtime(String stack) {
        return stack.equals("okhttp") || stack.equals("jdk") ? "4" : stack;
    }

    /** The SampleApp argument that picks the stack's client, or none for OkHttp. */
    static List<String> clientArgs(String stack) {
        switch (stack) {
            case "okhttp":
                return List.of();
            case "jdk":
                return List.of("client=jdk");
            case "netty-4.1":
            case "netty-4.2":
            case "reactor-netty":
            case "vertx":
                return List.of(NettyClientTest.client(stack));
            default:
                return List.of(ClientLibrariesTest.client(stack));
        }
    }

    /**
     * The root-cause table of one stack: what its library can meet, with the library's own way of
     * meeting it. Rows without the stack's client argument (the tests add it).
     * <ul>
     * <li>The JDK client, Netty, nv-websocket and Jetty have no read or ping timeout of their own: no client_timeout
     * row; Java-WebSocket's lost-connection timer is its client timeout (ping_ms: its interval, whole seconds).</li>
     * <li>Vert.x, nv-websocket and Jakarta WebSocket (Tyrus) cannot drop a connection without its close handshake:
     * no client_cancel row.</li>
     * <li>reactor-netty and Tyrus drop the connection as soon as their close frame is written, so a close the server
     * never answers ends as the app's close, with the audio the server never answered lost (Tyrus has no close
     * timeout key to set).</li>
     * <li>Tyrus's session idle timeout (idle_ms: {@code Session.setMaxIdleTimeout}) is its client timeout.</li>
     * </ul>
     */
    static List<Object[]> table(String stack) {
        if (stack.equals("okhttp")) {
            return baseRows("okhttp");
        }
        List<Object[]> rows = new ArrayList<>();
        for (Object[] row : baseRows(library(stack))) {
            if (row[0].equals("client_cancel") && cannotCancel(stack)) {
                continue;
            }
            if (row[0].equals("close_timeout") && stack.equals("reactor-netty")) {
                row[0] = "client_close_unflushed";
            }
            if (row[0].equals("close_timeout") && stack.equals("tyrus")) {
                row = new Object[] {"client_close_unflushed", row[1], row[2], "finalize.timeout=500ms"};
            }
            rows.add(row);
        }
        if (stack.equals("java-websocket")) {
            rows.add(new Object[] {"client_timeout", "sim_fault=half_open&sim_fault_after=300ms",
                    "seconds=1 realtime=true ping_ms=1000 end=none wait=8", ""});
        }
        if (stack.equals("tyrus")) {
            rows.add(new Object[] {"client_timeout", "sim_fault=half_open&sim_fault_after=300ms",
                    "seconds=1 realtime=true idle_ms=1000 end=none wait=8", ""});
        }
        return rows;
    }

    private static boolean cannotCancel(String stack) {
        return stack.equals("vertx") || stack.equals("nv-websocket") || stack.equals("tyrus");
    }

    /** Why a stack has no row for a fault the matrix lists, or null when it has one. */
    static String missing(String stack, String fault) {
        if (fault.equals("client_timeout") && !stack.equals("okhttp") && !stack.equals("java-websocket") && !stack.equals("tyrus")) {
            return "the library has no read or ping timeout of its own";
        }
        if (fault.equals("client_cancel") && cannotCancel(stack)) {
            return "the library cannot drop a connection without its close handshake";
        }
        return null;
    }
}
