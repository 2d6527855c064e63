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
 * normally and its slot opens the next one. One session in five pauses its audio for 12 s (past
 * Deepgram's 10 s idle window); one in ten meets a simulator fault (NET-0000 or a reset after a
 * few seconds, a 429 at the handshake, DATA-0000).
 *
 * <p>Each sampling interval it reports the heap after full collections, the agent's threads and
 * the process CPU; at the end, after closing every session, the agent's own counts from its
 * metrics endpoint. Arguments: url seconds slots sampleSeconds metricsPort (-1 without the agent) seed.
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
    }

    /** The JDK client allows one outstanding send: a chunk waits while the previous one is in flight. */
    static final class JdkLine extends Line implements java.net.http.WebSocket.Listener {
        volatile java.net.http.WebSocket socket;
        volatile CompletableFuture<?> pending = CompletableFuture.completedFuture(null);

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
            pending = socket.sendBinary(ByteBuffer.wrap(chunk), true);
            return true;
        }

        @Override
        void close() {
            pending = pending.handle((r, t) -> null).thenCompose(x -> socket.sendClose(1000, "")).toCompletableFuture();
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
    }

    /** One of the slots: the session it runs now, and where that session is in its life. */
    static final class Slot {
        final String library;
        Line line;
        long startNanos;
        long lifeNanos;
        long pauseFromNanos = Long.MAX_VALUE;
        long pauseToNanos;
        long chunksSent;
        long closeAtNanos;
        boolean closing;

        Slot(String library) {
            this.library = library;
        }
    }

    private final List<Slot> slots = new ArrayList<>();
    private final String url;
    private final OkHttpClient okhttp;
    private final HttpClient jdk = HttpClient.newHttpClient();
    private final WebSocketFactory nv = new WebSocketFactory().setConnectionTimeout(10_000);
    private final SplittableRandom random;
    private final AtomicLong sessionsStarted = new AtomicLong();
    private final AtomicLong sessionsFailed = new AtomicLong();
    private final AtomicLong stuckCloses = new AtomicLong();
    private final AtomicLong chunks = new AtomicLong();
    private volatile boolean stopping;

    private SoakApp(String url, int slotCount, long seed) {
        this.url = url;
        this.okhttp = Sessions.client(slotCount);
        this.random = new SplittableRandom(seed);
        for (int i = 0; i < slotCount; i++) {
            slots.add(new Slot(LIBRARIES[i % LIBRARIES.length]));
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
        long runNanos = end - start;
        // The first sessions open over the first 10 s, not as one handshake storm.
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            s.startNanos = start + TimeUnit.MILLISECONDS.toNanos(10_000L * i / slots.size());
            s.line = null;
        }
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < SENDER_THREADS; t++) {
            List<Slot> mine = new ArrayList<>();
            for (int i = t; i < slots.size(); i += SENDER_THREADS) {
                mine.add(slots.get(i));
            }
            Thread sender = new Thread(() -> drive(mine, runNanos), "soak-sender-" + t);
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
            if (open > 0) {
                Thread.sleep(20);
            }
        } while (open > 0 && System.nanoTime() < deadline);
        ProcStatus.report("sample_seconds", at);
        ProcStatus.report("heap_bytes", heap);
        ProcStatus.report("agent_threads", threads);
        ProcStatus.report("cpu_seconds", (cpuEnd - cpuStart) / 1e9);
        ProcStatus.report("sessions_started", sessionsStarted.get());
        ProcStatus.report("sessions_failed", sessionsFailed.get());
        ProcStatus.report("chunks_sent", chunks.get());
        ProcStatus.report("stuck_closes", stuckCloses.get());
        ProcStatus.report("left_open", open);
        if (metricsPort > 0) {
            // Every end is counted once its listeners ran: wait until no session is active.
            ProcStatus.report("agent_sessions_active", AgentMetricsReader.await(metricsPort, AgentMetricsReader.SESSIONS_ACTIVE, 0, 30));
            ProcStatus.report("agent_sessions_opened", AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_OPENED));
            ProcStatus.report("agent_sessions_ended", AgentMetricsReader.sum(metricsPort, AgentMetricsReader.SESSIONS_ENDED));
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

    /** Paces each slot's session at real time; opens, pauses and closes sessions as their lives say. */
    private void drive(List<Slot> mine, long runNanos) {
        byte[] chunk = new byte[CHUNK_BYTES];
        while (!stopping) {
            long now = System.nanoTime();
            for (Slot s : mine) {
                try {
                    step(s, now, runNanos, chunk);
                } catch (Exception e) {
                    sessionsFailed.incrementAndGet();
                    s.line = null;
                    s.startNanos = now + TimeUnit.SECONDS.toNanos(1);
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private void step(Slot s, long now, long runNanos, byte[] chunk) throws Exception {
        if (s.line == null) {
            if (now >= s.startNanos) {
                begin(s, now, runNanos);
            }
            return;
        }
        Line line = s.line;
        if (line.ended) {
            if (line.failed) {
                sessionsFailed.incrementAndGet();
            }
            s.line = null;
            s.startNanos = now; // the next call takes the slot
            return;
        }
        if (s.closing) {
            if (now - s.closeAtNanos > TimeUnit.SECONDS.toNanos(20)) {
                stuckCloses.incrementAndGet(); // counted, and the slot moves on
                s.line = null;
                s.startNanos = now;
            }
            return;
        }
        if (!line.open) {
            if (now - s.startNanos > TimeUnit.SECONDS.toNanos(20)) {
                sessionsFailed.incrementAndGet();
                s.line = null;
                s.startNanos = now;
            }
            return;
        }
        long elapsed = now - s.startNanos;
        if (elapsed >= s.lifeNanos) {
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

    private void begin(Slot s, long now, long runNanos) throws Exception {
        long life;
        String fault = "";
        synchronized (random) {
            life = TimeUnit.SECONDS.toNanos(20 + random.nextInt(101));
            int dice = random.nextInt(10);
            if (dice == 0) {
                String[] faults = {"sim_fault=net0000&sim_fault_after=" + (3 + random.nextInt(10)) + "s",
                        "sim_fault=reset&sim_fault_after=" + (3 + random.nextInt(10)) + "s", "sim_fault=reject_429", "sim_fault=bad_audio"};
                fault = "&" + faults[random.nextInt(faults.length)];
            }
            s.pauseFromNanos = Long.MAX_VALUE;
            if (random.nextInt(5) == 0) {
                s.pauseFromNanos = TimeUnit.SECONDS.toNanos(5);
                s.pauseToNanos = s.pauseFromNanos + TimeUnit.SECONDS.toNanos(12);
            }
        }
        s.lifeNanos = Math.min(life, runNanos);
        s.chunksSent = 0;
        s.closing = false;
        s.startNanos = now;
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
