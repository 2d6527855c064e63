package dev.deepgramagent.bench.jmh;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code RealWebSocket.send(ByteString)} with one 640-byte frame (20 ms of 16 kHz linear16), on a
 * real OkHttp socket connected to a local server that drops what it reads.
 *
 * <p>OkHttp queues a frame and lets its writer thread put it on the wire; a socket whose queue
 * passes 16 MiB is failed. So the frames are sent in batches, and between batches (outside the
 * measurement) the benchmark waits for the queue to drain. OkHttp's writer thread runs while a
 * batch is measured, as it does in an app. The server runs in another process (the bench
 * runner). The agent is attached or not by the JVM arguments of the fork; the path decides
 * whether the agent tracks the socket.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/media/stream";

    public static final String SERVER_PROPERTY = "bench.server";

    static final int BATCH = 1000;

    /** {@link #TRACKED_PATH}: a Deepgram socket to the agent; {@link #UNTRACKED_PATH}: any other socket. */
    @Param({TRACKED_PATH})
    public String path;

    private OkHttpClient client;
    private WebSocket socket;
    private ByteString frame;

    @Setup(Level.Trial)
    public void connect() throws Exception {
        String server = System.getProperty(SERVER_PROPERTY);
        if (server == null) {
            throw new IllegalStateException("-D" + SERVER_PROPERTY + "=ws://host:port is required");
        }
        client = new OkHttpClient.Builder().build();
        CountDownLatch open = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Request request = new Request.Builder()
                .url(server + path + "?encoding=linear16&sample_rate=16000&channels=1")
                .build();
        socket = client.newWebSocket(request, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                open.countDown();
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                failure.set(t);
                open.countDown();
            }
        });
        if (!open.await(10, TimeUnit.SECONDS) || failure.get() != null) {
            throw new IllegalStateException("could not open " + request.url(), failure.get());
        }
        frame = ByteString.of(new byte[640]);
    }

    /** Outside the measurement: let the writer thread empty the queue the last batch filled. */
    @Setup(Level.Invocation)
    public void drain() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (socket.queueSize() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the socket's queue did not drain");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() {
        ByteString f = frame;
        WebSocket s = socket;
        int sent = 0;
        for (int i = 0; i < BATCH; i++) {
            if (s.send(f)) {
                sent++;
            }
        }
        if (sent != BATCH) {
            throw new IllegalStateException("the socket refused " + (BATCH - sent) + " frames");
        }
        return sent;
    }

    @TearDown(Level.Trial)
    public void disconnect() {
        socket.cancel();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
