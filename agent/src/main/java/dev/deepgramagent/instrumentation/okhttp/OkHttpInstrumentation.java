package dev.deepgramagent.instrumentation.okhttp;

import dev.deepgramagent.install.AdviceLoader;
import dev.deepgramagent.install.InstrumentationModule;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;

/** OkHttp 3.14.x, 4.x and 5.x: {@code okhttp3.internal.ws.RealWebSocket}. */
public final class OkHttpInstrumentation implements InstrumentationModule {

    static final String REAL_WEB_SOCKET = "okhttp3.internal.ws.RealWebSocket";
    // By name: advice classes are read as bytes, never loaded by the agent.
    private static final String ADVICE_PACKAGE = "dev.deepgramagent.instrumentation.okhttp.";

    @Override
    public String library() {
        return "okhttp";
    }

    @Override
    public AgentBuilder extend(AgentBuilder builder) {
        Advice created = AdviceLoader.advice(ADVICE_PACKAGE + "RealWebSocketCreatedAdvice");
        return builder.type(named(REAL_WEB_SOCKET))
                .transform((b, type, loader, module, domain) -> b.visit(created.on(isConstructor())));
    }
}
