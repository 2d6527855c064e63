package dev.deepgramagent.instrumentation.nv;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPrivate;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * nv-websocket-client 2.x ({@code com.neovisionaries.ws.client}): Deepgram's own Java example uses it.
 * The socket is the library's {@code WebSocket}; every send is a {@code sendFrame}, every message
 * and end reaches the app through {@code ListenerManager}, which is woven instead of the app's
 * listeners. Woven when the classes load, not at build time.
 */
public final class NvWebSocketInstrumentation implements InstrumentationModule {

    static final String PACKAGE = "com.neovisionaries.ws.client.";
    static final String FACTORY = PACKAGE + "WebSocketFactory";
    static final String WEB_SOCKET = PACKAGE + "WebSocket";
    static final String LISTENERS = PACKAGE + "ListenerManager";
    /** The reading thread's timer task that drops the connection once {@code disconnect}'s close delay has passed. */
    static final String CLOSE_TASK = PACKAGE + "ReadingThread$CloseTask";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.nv.NvWebSocketAdvice$";

    @Override
    public String library() {
        return "nv-websocket";
    }

    @Override
    public List<String> typeNames() {
        return List.of(FACTORY, WEB_SOCKET, LISTENERS, CLOSE_TASK);
    }

    @Override
    public boolean prewovenAtBuild() {
        return false;
    }

    @Override
    public SocketControl control() {
        return new NvControl();
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        AsmVisitorWrapper.ForDeclaredMethods advice = new AsmVisitorWrapper.ForDeclaredMethods();
        switch (typeName) {
            case FACTORY:
                // Every createSocket(...) ends in the private one that takes the URI's parts and the connect timeout.
                return advice.invokable(isMethod().and(isPrivate()).and(named("createSocket")).and(takesArguments(7))
                        .and(takesArgument(6, int.class)), AdviceLoader.advice(ADVICE + "ConnectTimeout"));
            case WEB_SOCKET:
                return advice
                        .invokable(isMethod().and(isPublic()).and(named("connect")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "Connect"))
                        .invokable(isMethod().and(named("startThreads")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "Opened"))
                        .invokable(isMethod().and(isPublic()).and(named("sendFrame")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "SendFrame"))
                        .invokable(isMethod().and(isPublic()).and(named("disconnect"))
                                .and(takesArguments(int.class, String.class, long.class)), AdviceLoader.advice(ADVICE + "Disconnect"))
                        .invokable(isMethod().and(isPublic()).and(named("sendClose")).and(takesArguments(0)),
                                AdviceLoader.advice(ADVICE + "SendClose"))
                        .invokable(isMethod().and(isPublic()).and(named("sendClose")).and(takesArguments(int.class)),
                                AdviceLoader.advice(ADVICE + "SendCloseCode"))
                        .invokable(isMethod().and(isPublic()).and(named("sendClose")).and(takesArguments(int.class, String.class)),
                                AdviceLoader.advice(ADVICE + "SendCloseCodeReason"));
            case LISTENERS:
                return advice
                        .invokable(isMethod().and(named("callOnTextMessage")).and(takesArguments(String.class)),
                                AdviceLoader.advice(ADVICE + "ReadText"))
                        .invokable(isMethod().and(named("callOnTextMessage")).and(takesArguments(byte[].class)),
                                AdviceLoader.advice(ADVICE + "ReadTextBytes"))
                        .invokable(isMethod().and(named("callOnCloseFrame")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "ReadClose"))
                        .invokable(isMethod().and(named("callOnError")).and(takesArguments(1)),
                                AdviceLoader.advice(ADVICE + "Failure"))
                        .invokable(isMethod().and(named("callOnDisconnected")).and(takesArguments(3)),
                                AdviceLoader.advice(ADVICE + "Disconnected"));
            case CLOSE_TASK:
                return advice.invokable(isMethod().and(named("run")).and(takesArguments(0)),
                        AdviceLoader.advice(ADVICE + "CloseDelayPassed"));
            default:
                throw new IllegalArgumentException("not a type of " + library() + ": " + typeName);
        }
    }
}
