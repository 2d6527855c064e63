package dev.deepgramagent.simulator;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server that behaves like Deepgram's live transcription endpoints {@code /v1/listen} and
 * {@code /v2/listen} (Flux), failures included. Embedded:
 * {@code DeepgramSimulator.start(SimulatorOptions.defaults())}, then {@link #listenUrl()},
 * {@link #fluxUrl()}, {@link #sessions()}, {@link #close()}. Standalone: {@link Main}.
 */
public final class DeepgramSimulator implements AutoCloseable {

    private final SimulatorOptions options;
    private final EventLoopGroup boss = new NioEventLoopGroup(1);
    private final EventLoopGroup workers = new NioEventLoopGroup();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** The close reason of {@link #endOpenSessions()}'s 1011 closes. */
    public static final String OUTAGE_REASON = "service unavailable";

    private final List<SessionRecord> sessions = new CopyOnWriteArrayList<>();
    private Channel server;

    private DeepgramSimulator(SimulatorOptions options) {
        this.options = options;
    }

    public static DeepgramSimulator start(SimulatorOptions options) throws InterruptedException {
        DeepgramSimulator sim = new DeepgramSimulator(options);
        sim.bind();
        return sim;
    }

    private void bind() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024),
                                new HandshakeHandler(DeepgramSimulator.this, options));
                    }
                });
        server = b.bind(options.host, options.port).sync().channel();
    }

    SessionRecord register(SessionRecord record) {
        synchronized (sessions) {
            sessions.add(record);
            sessions.notifyAll();
        }
        return record;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public String host() {
        return options.host;
    }

    /** {@code ws://host:port/v1/listen}. */
    public String listenUrl() {
        return "ws://" + hostForUrl() + ":" + port() + "/v1/listen";
    }

    /** {@code ws://host:port/v2/listen}: Flux, the turn-based endpoint. */
    public String fluxUrl() {
        return "ws://" + hostForUrl() + ":" + port() + "/v2/listen";
    }

    /** A non-Deepgram WebSocket on the same server. */
    public String echoUrl() {
        return "ws://" + hostForUrl() + ":" + port() + "/echo";
    }

    private String hostForUrl() {
        return options.host.contains(":") ? "[" + options.host + "]" : options.host;
    }

    /** Every session that completed its handshake, in order of arrival. */
    public List<SessionRecord> sessions() {
        return new ArrayList<>(sessions);
    }

    /** Waits until at least {@code count} sessions have completed their handshake. */
    public List<SessionRecord> awaitSessions(int count, long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (sessions) {
            while (sessions.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("expected " + count + " sessions, saw " + sessions.size());
                }
                TimeUnit.NANOSECONDS.timedWait(sessions, left);
            }
        }
        return sessions();
    }

    /**
     * An outage: every open Deepgram session ends at once, alternately with a 1011 close (reason
     * {@link #OUTAGE_REASON}) and a TCP reset. Echo sockets, sessions already ending and half-open
     * ones are left alone.
     *
     * @return how many sessions it ended: {@code [closed with 1011, reset]}
     */
    public int[] endOpenSessions() {
        List<java.util.concurrent.CompletableFuture<Boolean>> closes = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<Boolean>> resets = new ArrayList<>();
        for (Channel ch : channels) {
            DeepgramSession session = ch.pipeline().get(DeepgramSession.class);
            if (session == null || !ch.isActive() || session.closing || session.halfOpen) {
                continue;
            }
            boolean withReset = (closes.size() + resets.size()) % 2 == 1;
            (withReset ? resets : closes).add(session.outage(withReset));
        }
        // Counted once each session's event loop has acted: one that began ending meanwhile is not the outage's.
        return new int[] {struck(closes), struck(resets)};
    }

    private static int struck(List<java.util.concurrent.CompletableFuture<Boolean>> outcomes) {
        int n = 0;
        for (java.util.concurrent.CompletableFuture<Boolean> outcome : outcomes) {
            try {
                if (outcome.get(10, TimeUnit.SECONDS)) {
                    n++;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return n;
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                // an event loop that never ran it: not ended by the outage
            }
        }
        return n;
    }

    /** The last session that completed its handshake. */
    public SessionRecord lastSession() {
        if (sessions.isEmpty()) {
            throw new IllegalStateException("no session yet");
        }
        return sessions.get(sessions.size() - 1);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        for (SessionRecord s : sessions) {
            s.ended(SessionRecord.EndedBy.SERVER_STOPPED, 1001, "simulator stopped");
        }
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
