package dev.deepgramagent.bench.jmh;

import dev.deepgramagent.simulator.DeepgramSimulator;
import dev.deepgramagent.simulator.SimulatorOptions;
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

import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The JDK's {@code WebSocket.sendBinary(ByteBuffer, true)} with one 640-byte frame: the method the
 * agent instruments, in the fork's JVM with or without the agent.
 *
 * <p>The socket is a real one, opened to the in-process simulator (so the agent tracks it from its
 * handshake, or not: {@link #UNTRACKED_PATH} is the simulator's echo path), whose internal
 * transport is then replaced by a stub that completes every send at once. What is measured is
 * the JDK's own {@code sendBinary} (its one-send-at-a-time flag included) and the agent's advice,
 * without a writer thread or the network sharing the 2 cores. The fork needs
 * {@code --add-opens java.net.http/jdk.internal.net.http.websocket=ALL-UNNAMED} for that swap.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JdkSendBenchmark {

    public static final String TRACKED_PATH = "/v1/listen";
    public static final String UNTRACKED_PATH = "/echo";
    public static final String OPENS = "--add-opens=java.net.http/jdk.internal.net.http.websocket=ALL-UNNAMED";
    static final int BATCH = 5000;
    private static final CompletableFuture<Object> DONE = CompletableFuture.completedFuture(null);

    @Param({TRACKED_PATH})
    public String path;

    private DeepgramSimulator sim;
    private HttpClient client; // held: a client the app drops is shut down, and its sockets with it
    private WebSocket socket;
    private ByteBuffer frame;

    @Setup(Level.Trial)
    public void open() throws Exception {
        sim = DeepgramSimulator.start(SimulatorOptions.defaults());
        String url = TRACKED_PATH.equals(path)
                ? sim.listenUrl() + "?encoding=linear16&sample_rate=16000&channels=1&sim_idle_timeout=3600s"
                : sim.echoUrl();
        client = HttpClient.newHttpClient();
        socket = client.newWebSocketBuilder().header("Authorization", "Token bench")
                .buildAsync(URI.create(url), new WebSocket.Listener() {
        }).get(10, TimeUnit.SECONDS);
        Field transport = socket.getClass().getDeclaredField("transport");
        transport.setAccessible(true);
        Class<?> type = transport.getType();
        Object stub = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            switch (method.getName()) {
                case "sendBinary":
                case "sendText":
                case "sendPing":
                case "sendPong":
                case "sendClose":
                    @SuppressWarnings("unchecked")
                    BiConsumer<Object, Throwable> action = (BiConsumer<Object, Throwable>) args[args.length - 1];
                    action.accept(args[args.length - 2], null); // as the real transport does once the frame is written
                    return DONE;
                default:
                    return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
            }
        });
        transport.set(socket, stub);
        frame = ByteBuffer.allocate(640);
    }

    /** With the agent: it counted the audio of the tracked socket and none on the other one (see SendBenchmark). */
    @TearDown(Level.Trial)
    public void checkTrackingAndClose() {
        try {
            SendBenchmark.checkTracking(TRACKED_PATH.equals(path), (long) BATCH * frame.capacity(), "JDK socket");
        } finally {
            sim.close();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int send() {
        WebSocket s = socket;
        ByteBuffer f = frame;
        int sent = 0;
        for (int i = 0; i < BATCH; i++) {
            if (s.sendBinary(f, true).isDone()) {
                sent++;
            }
        }
        if (sent != BATCH) {
            throw new IllegalStateException("the socket left " + (BATCH - sent) + " sends pending");
        }
        return sent;
    }
}
