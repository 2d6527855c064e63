package dev.deepgramagent.instrumentation.okhttp;

import dev.deepgramagent.core.session.SocketControl;
import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.asm.AsmVisitorWrapper;

import java.util.List;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.isMethod;
import static net.bytebuddy.matcher.ElementMatchers.isPublic;
import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * OkHttp 3.14.x, 4.x and 5.x: {@code okhttp3.internal.ws.RealWebSocket}, the implementation behind
 * {@code OkHttpClient.newWebSocket} and so behind the official Deepgram Java SDK. The methods
 * matched exist, with these names and arguments, in all three major versions.
 */
public final class OkHttpInstrumentation implements InstrumentationModule {

    static final String REAL_WEB_SOCKET = "okhttp3.internal.ws.RealWebSocket";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE = "dev.deepgramagent.instrumentation.okhttp.RealWebSocketAdvice$";

    @Override
    public String library() {
        return "okhttp";
    }

    @Override
    public SocketControl control() {
        return new OkHttpControl();
    }

    @Override
    public List<String> typeNames() {
        return List.of(REAL_WEB_SOCKET);
    }

    @Override
    public AsmVisitorWrapper advice(String typeName) {
        // One pass over the class: each method gets the advice whose matcher it meets.
        return new AsmVisitorWrapper.ForDeclaredMethods()
                .invokable(isConstructor(), AdviceLoader.advice(ADVICE + "Created"))
                .invokable(isMethod().and(nameStartsWith("checkUpgradeSuccess")), AdviceLoader.advice(ADVICE + "Opened"))
                .invokable(isMethod().and(isPublic()).and(named("send")).and(takesArguments(1))
                        .and(takesArgument(0, named("okio.ByteString"))), AdviceLoader.advice(ADVICE + "SendBinary"))
                .invokable(isMethod().and(isPublic()).and(named("send")).and(takesArguments(String.class)),
                        AdviceLoader.advice(ADVICE + "SendText"))
                .invokable(isMethod().and(isPublic()).and(named("close")).and(takesArguments(int.class, String.class)),
                        AdviceLoader.advice(ADVICE + "Close"))
                .invokable(isMethod().and(named("cancel")).and(takesArguments(0)), AdviceLoader.advice(ADVICE + "Cancel"))
                .invokable(isMethod().and(named("onReadMessage")).and(takesArguments(String.class)),
                        AdviceLoader.advice(ADVICE + "ReadText"))
                .invokable(isMethod().and(named("onReadClose")).and(takesArguments(int.class, String.class)),
                        AdviceLoader.advice(ADVICE + "ReadClose"))
                .invokable(isMethod().and(named("failWebSocket")).and(not(isStatic())), AdviceLoader.advice(ADVICE + "Failure"))
                // Timeouts: changed only on Deepgram sockets and only when configured.
                .invokable(isConstructor().and(takesArgument(0, named("okhttp3.Request"))).and(takesArgument(3, long.class)),
                        AdviceLoader.advice(ADVICE + "PingInterval3"))
                .invokable(isConstructor().and(takesArgument(1, named("okhttp3.Request"))).and(takesArgument(4, long.class)),
                        AdviceLoader.advice(ADVICE + "PingInterval4"))
                .invokable(isMethod().and(named("close")).and(takesArguments(int.class, String.class, long.class)),
                        AdviceLoader.advice(ADVICE + "CloseTimeout"))
                .invokable(isMethod().and(named("connect")).and(takesArguments(1))
                        .and(takesArgument(0, named("okhttp3.OkHttpClient"))), AdviceLoader.advice(ADVICE + "ConnectTimeout"));
    }
}
