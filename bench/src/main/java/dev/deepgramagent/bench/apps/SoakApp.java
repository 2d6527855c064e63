package dev.deepgramagent.bench.apps;

import com.neovisionaries.ws.client.WebSocketAdapter;
import com.neovisionaries.ws.client.WebSocketFactory;
import com.neovisionaries.ws.client.WebSocketFrame;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The soak's app: {@code slots} real-time sessions open at all times for {@code seconds}, spread
 * over four client libraries (OkHttp, the JDK's java.net.http, nv-websocket-client,
 * Java-WebSocket). Each session lives 20 to 120 s (at most the run), then the app closes it
 * normally and its slot opens the next one at the session's planned end (one that ended early
 * leaves the slot empty until then). Each session's life, pause and fault come from (seed, slot,
 * generation): both runs meet the same ones. One session in five pauses its audio for 12 s (past
 * Deepgram's 10 s idle window); one in ten meets a simulator fault (NET-0000 or a reset after a
 * few seconds, a 429 at the handshake, DATA-0000).
 *
 * <p>Each sampling interval it takes the heap after full collections and the agent's threads; over
 * the run, the process CPU; at the end, after closing every session (and waiting for those it
 * abandoned), the agent's own counts from its metrics endpoint. Arguments: url seconds slots sampleSeconds metricsPort (-1 without the agent) seed.
 */
public final class SoakApp {

    static final int CHUNK_BYTES = 640;
    static final long CHUNK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    static final String[] LIBRARIES = {"okhttp", "jdk", "nv-websocket", "java-websocket"};
    static final int SENDER_THREADS = 2;

    /** One session's socket, whichever library carries it. */
    abstract static class Line {
        volatile boolean open;
        volatile boolean ended;
        volatile boolean failed;

        /** Sends one chunk now, or returns false when the library cannot take it yet. */
        abstract boolean send(byte[] chunk);

        /** The app's normal close (1000). */
        abstract void close();

        /** Drops the connection without a close handshake (a session the app gives up on). */
        abstract void abort();

        void opened() {
            open = true;
        }

        void ended(boolean failure) {
            failed |= failure;
            ended = true;
        }
    }

    static final class OkHttpLine extends Line {
        final okhttp3.WebSocket socket;

        OkHttpLine(OkHttpClient client, String url) {
            socket = client.newWebSocket(new Request.Builder().url(url).header("Authorization", "Token " + Sessions.API_KEY).build(),
                    new WebSocketListener() {
                        @Override
                        public void onOpen(okhttp3.WebSocket webSocket, Response response) {
                            opened();
                        }

                        @Override
                        public void onClosing(okhttp3.WebSocket webSocket, int code, String reason) {
                            webSocket.close(1000, null);
                        }

                        @Override
                        public void onClosed(okhttp3.WebSocket webSocket, int code, String reason) {
                            ended(false);
                        }

                        @Override
                        public void onFailure(okhttp3.WebSocket webSocket, Throwable t, Response response) {
                            ended(true);
                        }
                    });
        }

        @Override
        boolean send(byte[] chunk) {
            return socket.queueSize() <= 256 * 1024 && socket.send(ByteString.of(chunk));
        }

        @Override
        void close() {
            socket.close(1000, null);
        }

        @Override
        void abort() {
            socket.cancel();
        }
    }

    /** The JDK client allows one outstanding send: a chunk waits while the previous one is in flight. */
    static final class JdkLine extends Line implements java.net.http.WebSocket.Listener {
        volatile java.net.http.WebSocket socket;
        volatile CompletableFuture<?> pending = CompletableFuture.completedFuture(null);
        volatile boolean abandoned;

        JdkLine(HttpClient client, String url) {
            client.newWebSocketBuilder().header("Authorization", "Token " + Sessions.API_KEY).buildAsync(URI.create(url), this)
                    .whenComplete((ws, t) -> {
                        if (t != null) {
                            ended(true);
                        }
                    });
        }

        @Override
        public void onOpen(java.net.http.WebSocket webSocket) {
            socket = webSocket;
            opened();
            webSocket.request(1);
            if (abandoned) {
                webSocket.abort(); // the app gave up before the handshake ended
            }
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket webSocket, int statusCode, String reason) {
            ended(false);
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket webSocket, Throwable error) {
            ended(true);
        }

        @Override
        boolean send(byte[] chunk) {
            if (!pending.isDone()) {
                return false;
            }
            CompletableFuture<?> sent = socket.sendBinary(ByteBuffer.wrap(chunk), true);
            pending = sent;
            return !sent.isCompletedExceptionally(); // output already closed: the session is ending
        }

        @Override
        void close() {
            pending = pending.handle((r, t) -> null).thenCompose(x -> socket.sendClose(1000, "")).toCompletableFuture();
        }

        @Override
        void abort() {
            abandoned = true;
            java.net.http.WebSocket ws = socket;
            if (ws != null) {
                ws.abort(); // else still connecting: the JDK offers nothing to cancel; onOpen aborts it
            }
        }
    }

    static final class NvLine extends Line {
        final com.neovisionaries.ws.client.WebSocket socket;

        NvLine(WebSocketFactory factory, String url) throws Exception {
            socket = factory.createSocket(url).addHeader("Authorization", "Token " + Sessions.API_KEY);
            socket.addListener(new WebSocketAdapter() {
                @Override
                public void onConnected(com.neovisionaries.ws.client.WebSocket websocket, Map<String, List<String>> headers) {
                    opened();
                }

                @Override
                public void onConnectError(com.neovisionaries.ws.client.WebSocket websocket, com.neovisionaries.ws.client.WebSocketException e) {
                    ended(true);
                }

                @Override
                public void onDisconnected(com.neovisionaries.ws.client.WebSocket websocket, WebSocketFrame serverCloseFrame,
                                           WebSocketFrame clientCloseFrame, boolean closedByServer) {
                    ended(false);
                }
            });
            socket.connectAsynchronously();
        }

        @Override
        boolean send(byte[] chunk) {
            socket.sendBinary(chunk);
            return true;
        }

        @Override
        void close() {
            socket.disconnect(1000);
        }

        @Override
        void abort() {
            socket.disconnect(1000, null, 0); // nv cannot drop a connection without its close frame: the shortest close
        }
    }

    static final class JavaWebSocketLine extends Line {
        final WebSocketClient socket;

        JavaWebSocketLine(String url) {
            socket = new WebSocketClient(URI.create(url), Map.of("Authorization", "Token " + Sessions.API_KEY)) {
                @Override
                public void onOpen(ServerHandshake handshake) {
                    opened();
                }

                @Override
                public void onMessage(String message) {
                }

                @Override
                public void onClose(int code, String reason, boolean remote) {
                    ended(false);
                }

                @Override
                public void onError(Exception ex) {
                    failed = true;
                }
            };
            socket.connect();
        }

        @Override
        boolean send(byte[] chunk) {
            socket.send(chunk);
            return true;
        }

        @Override
        void close() {
            socket.close(1000);
        }

        @Override
        void abort() {
            socket.closeConnection(1006, "abandoned");
        }
    }

    /**
     * One of the slots: the session it runs now, and where that session is in its life. A slot's
     * sessions follow a plan of their own (seed, slot, generation): both runs meet the same lives,
     * pauses and faults, and a session that ends early leaves its slot empty until its planned end,
     * so both runs start the same sessions.
     */
    static final class Slot {
        final int index;
        final String library;
        Line line;
        int generation;
        /** When the current session's plan began (its life counts from here), and when the next may begin. */
        long plannedStart;
        long nextStart;
        long lifeNanos;
        long openNanos;
        long pauseFromNanos = Long.MAX_VALUE;
        long pauseToNanos;
        long chunksSent;
        long closeAtNanos;
        boolean closing;

        Slot(int index, String library) {
            this.index = index;
            this.library = library;
        }
    }

    private final List<Slot> slots = new ArrayList<>();
    /** Lines the app gave up on (never opened, close never answered): aborted, and still awaited at the end. */
    private final List<Line> abandoned = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final String url;
    private final long seed;
    private final OkHttpClient okhttp;
    private final HttpClient jdk = HttpClient.newHttpClient();
    private final WebSocketFactory nv = new WebSocketFactory().setConnectionTimeout(10_000);
    private final AtomicLong sessionsStarted = new AtomicLong();
    private final AtomicLong sessionsEndedEarly = new AtomicLong();
    private final AtomicLong abandonedCount = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private volatile boolean stopping;

    private SoakApp(String url, int slotCount, long seed) {
        this.url = url;
        this.seed = seed;
        this.okhttp = Sessions.client(slotCount);
        for (int i = 0; i < slotCount; i++) {
            slots.add(new Slot(i, LIBRARIES[i % LIBRARIES.length]));
        }
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        long seconds = Long.parseLong(args[1]);
        int slotCount = Integer.parseInt(args[2]);
        long sampleSeconds = Long.parseLong(args[3]);
        int metricsPort = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        new SoakApp(url, slotCount, seed).run(seconds, sampleSeconds, metricsPort);
    }

    private void run(long seconds, long sampleSeconds, int metricsPort) throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        // The first sessions open over the first 10 s, not as one handshake storm.
        for (int i = 0; i < slots.size(); i++) {
            slots.get(i).nextStart = start + TimeUnit.MILLISECONDS.toNanos(10_000L * i / slots.size());
        }
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < SENDER_THREADS; t++) {
            List<Slot> mine = new ArrayList<>();
            for (int i = t; i < slots.size(); i += SENDER_THREADS) {
                mine.add(slots.get(i));
            }
            Thread sender = new Thread(() -> drive(mine, end), "soak-sender-" + t);
            sender.setDaemon(true);
            sender.start();
            senders.add(sender);
        }

        long cpuStart = ProcStatus.processCpuNanos();
        StringJoiner heap = new StringJoiner(",");
        StringJoiner threads = new StringJoiner(",");
        StringJoiner at = new StringJoiner(",");
        long next = start + TimeUnit.SECONDS.toNanos(sampleSeconds);
        while (next <= end) {
            sleepUntil(next);
            heap.add(String.valueOf(ProcStatus.liveHeapBytes()));
            threads.add(String.valueOf(agentThreads()));
            at.add(String.valueOf(Math.round((System.nanoTime() - start) / 1e9)));
            next += TimeUnit.SECONDS.toNanos(sampleSeconds);
        }
        sleepUntil(end);
        long cpuEnd = ProcStatus.processCpuNanos();
        stopping = true;
        for (Thread sender : senders) {
            sender.join(30_000);
        }
        // The app closes what is still open, as a service does at the end of its calls; a session
        // still connecting is closed once it opens.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int open;
        do {
            open = 0;
            for (Slot s : slots) {
                Line line = s.line;
                if (line == null || line.ended) {
                    continue;
                }
                open++;
                if (line.open && !s.closing) {
                    s.closing = true;
                    line.close();
                }
            }
            for (Line line : abandoned) {
                open += line.ended ? 0 : 1;
            }
            if (open > 0) {
                Thread.sleep(20);
            }
        } while (open > 0 && System.nanoTime() < deadline);
        ProcStatus.report("sample_seconds", at);
        ProcStatus.report("heap_bytes", heap);
        ProcStatus.report("agent_threads", threads);
        ProcStatus.report("cpu_seconds", (cpuEnd - cpuStart) / 1e9);
        ProcStatus.report("sessions_started", sessionsStarted.get());
        ProcStatus.report("sessions_ended_early", sessionsEndedEarly.get());
        ProcStatus.report("sessions_abandoned", abandonedCount.get());
        ProcStatus.report("chunks_sent", chunks.get());
        ProcStatus.report("left_open", open);
        if (metricsPort > 0) {
            // Every session the app started is a Deepgram session the agent saw created: each must end once.
            ProcStatus.report("agent_sessions_ended",
                    AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ENDED, sessionsStarted.get(), 30));
            ProcStatus.report("agent_sessions_active", AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ACTIVE, 0, 10));
            ProcStatus.report("agent_sessions_opened", AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_OPENED));
            // Handshake failures end without having opened (sessions_ended counts them, sessions_opened does not).
            ProcStatus.report("agent_handshake_failures",
                    AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_ENDED, "root_cause=\"handshake_"));
            ProcStatus.report("agent_internal_errors", AgentMetricsReader.sum(metricsPort, "deepgram_agent_internal_errors_total"));
        }
        System.out.flush();
        Runtime.getRuntime().halt(0); // the libraries' own threads (nv, Java-WebSocket) need not be waited for
    }

    /** The agent's threads: every thread whose name starts with deepgram-agent. */
    static int agentThreads() {
        int n = 0;
        for (long id : ManagementFactory.getThreadMXBean().getAllThreadIds()) {
            java.lang.management.ThreadInfo info = ManagementFactory.getThreadMXBean().getThreadInfo(id);
            if (info != null && info.getThreadName().startsWith("deepgram-agent")) {
                n++;
            }
        }
        return n;
    }

    /** Paces each slot's session at real time; opens, pauses and closes sessions as their plans say. */
    private void drive(List<Slot> mine, long end) {
        byte[] chunk = new byte[CHUNK_BYTES];
        while (!stopping) {
            long now = System.nanoTime();
            for (Slot s : mine) {
                try {
                    step(s, now, end, chunk);
                } catch (Exception e) {
                    sessionsEndedEarly.incrementAndGet();
                    abandon(s);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Gives the slot's session up: dropped without a close handshake, awaited at the end all the same. */
    private void abandon(Slot s) {
        Line line = s.line;
        s.line = null;
        if (line != null && !line.ended) {
            abandonedCount.incrementAndGet();
            abandoned.add(line);
            try {
                line.abort();
            } catch (RuntimeException e) {
                // the library refused: the end-of-run wait still counts it if it never ends
            }
        }
    }

    private void step(Slot s, long now, long end, byte[] chunk) throws Exception {
        if (s.line == null) {
            if (now >= s.nextStart && now < end) {
                begin(s, now, end);
            }
            return;
        }
        Line line = s.line;
        if (line.ended) {
            if (!s.closing) {
                sessionsEndedEarly.incrementAndGet(); // before the app's close: a fault, an idle timeout
            }
            s.line = null; // the slot waits for the session's planned end (nextStart)
            return;
        }
        if (s.closing) {
            if (now - s.closeAtNanos > TimeUnit.SECONDS.toNanos(20)) {
                abandon(s); // a close never answered
            }
            return;
        }
        if (!line.open) {
            if (now - s.plannedStart > TimeUnit.SECONDS.toNanos(20)) {
                sessionsEndedEarly.incrementAndGet();
                abandon(s); // never opened
            }
            return;
        }
        if (s.openNanos == 0) {
            s.openNanos = now; // audio paces from the open, not from the connect
        }
        long elapsed = now - s.openNanos;
        if (now - s.plannedStart >= s.lifeNanos) {
            s.closing = true;
            s.closeAtNanos = now;
            line.close();
            return;
        }
        long due = elapsed / CHUNK_NANOS + 1;
        if (elapsed >= s.pauseFromNanos && elapsed < s.pauseToNanos) {
            s.chunksSent = due; // silence: nothing is sent while the app pauses
            return;
        }
        while (s.chunksSent < due) {
            if (!line.send(chunk)) {
                return;
            }
            s.chunksSent++;
            chunks.incrementAndGet();
        }
    }

    private void begin(Slot s, long now, long end) throws Exception {
        // The plan of this slot's next session, the same in every run with this seed.
        SplittableRandom plan = new SplittableRandom(seed * 1_000_003L + s.index * 10_007L + s.generation++);
        long life = TimeUnit.SECONDS.toNanos(20 + plan.nextInt(101));
        String fault = "";
        if (plan.nextInt(10) == 0) {
            String[] faults = {"sim_fault=net0000&sim_fault_after=" + (3 + plan.nextInt(10)) + "s",
                    "sim_fault=reset&sim_fault_after=" + (3 + plan.nextInt(10)) + "s", "sim_fault=reject_429", "sim_fault=bad_audio"};
            fault = "&" + faults[plan.nextInt(faults.length)];
        }
        s.pauseFromNanos = Long.MAX_VALUE;
        if (plan.nextInt(5) == 0) {
            s.pauseFromNanos = TimeUnit.SECONDS.toNanos(5);
            s.pauseToNanos = s.pauseFromNanos + TimeUnit.SECONDS.toNanos(12);
        }
        s.plannedStart = Math.max(now, s.nextStart);
        s.lifeNanos = Math.min(life, end - s.plannedStart);
        s.nextStart = s.plannedStart + s.lifeNanos;
        s.openNanos = 0;
        s.chunksSent = 0;
        s.closing = false;
        String target = url + Sessions.AUDIO_QUERY + fault;
        sessionsStarted.incrementAndGet();
        switch (s.library) {
            case "okhttp": s.line = new OkHttpLine(okhttp, target); break;
            case "jdk": s.line = new JdkLine(jdk, target); break;
            case "nv-websocket": s.line = new NvLine(nv, target); break;
            default: s.line = new JavaWebSocketLine(target); break;
        }
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
