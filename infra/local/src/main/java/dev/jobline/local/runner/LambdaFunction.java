package dev.jobline.local.runner;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import com.fasterxml.jackson.jr.ob.JSON;
import dev.jobline.config.Wiring;
import dev.jobline.local.LambdaContext;
import dev.jobline.local.TemplateFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A function of the template, loaded and called the way Lambda's Java runtime does it: the {@code Handler} class is
 * instantiated once (with the service its own {@link Wiring} builds when it has such a constructor, else with none), the
 * event JSON is deserialized into the handler method's parameter type with aws-lambda-java-serialization, and the
 * return value is serialized back. Each call gets a fresh {@link LambdaContext}, and the call is abandoned (its thread
 * interrupted) when the function's {@code Timeout} runs out.
 */
public final class LambdaFunction implements AutoCloseable {
    private static final String EVENTS_PACKAGE = "com.amazonaws.services.lambda.runtime.events.";

    private final TemplateFunction definition;
    private final Object handler;
    private final Method method;
    private final boolean streaming;
    private final PojoSerializer<Object> input;
    private final PrintStream log;
    private final ExecutorService calls;

    private LambdaFunction(TemplateFunction definition, Object handler, Method method, PrintStream log) {
        this.definition = definition;
        this.handler = handler;
        this.method = method;
        this.streaming = method.getParameterCount() == 3;
        this.input = streaming ? null : serializerFor(method.getParameterTypes()[0]);
        this.log = log;
        AtomicInteger threads = new AtomicInteger();
        this.calls = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, definition.logicalId() + "-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Loads the function's handler class and makes its instance, as a cold start would.
     *
     * @param wiring builds the function's wiring from its environment; asked only if the handler takes one
     * @param log    where the Context's LambdaLogger writes
     */
    public static LambdaFunction load(TemplateFunction definition, Supplier<Wiring> wiring, PrintStream log) {
        Class<?> type;
        try {
            type = Class.forName(definition.handlerClass(), true, classLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(definition.logicalId() + ": the Handler class " + definition.handlerClass()
                    + " is not on the classpath (build the functions first: mvn -pl functions -am package)", e);
        }
        Method method = handlerMethod(type, definition);
        try {
            Object instance;
            Constructor<?> withService = serviceConstructor(type);
            if (withService != null) {
                Wiring built = wiring.get();
                instance = withService.newInstance(serviceOf(withService.getParameterTypes()[0]).invoke(built));
            } else {
                Constructor<?> plain = constructor(type);
                if (plain == null) {
                    throw new IllegalStateException(definition.logicalId() + ": " + type.getName()
                            + " has neither a public constructor taking a service the Wiring builds nor a public no-argument one");
                }
                instance = plain.newInstance();
            }
            return new LambdaFunction(definition, instance, method, log);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(definition.logicalId() + ": " + type.getName() + " failed to initialize: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(definition.logicalId() + ": cannot instantiate " + type.getName(), e);
        }
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : LambdaFunction.class.getClassLoader();
    }

    /**
     * The handler's constructor for tests and runners: one parameter, the service it calls, which a public method of
     * {@link Wiring} builds (ApiHandler takes the JobsApi that {@code api()} builds, and so on). Null if it has none.
     */
    private static Constructor<?> serviceConstructor(Class<?> type) {
        for (Constructor<?> constructor : type.getConstructors()) {
            if (constructor.getParameterCount() == 1 && serviceOf(constructor.getParameterTypes()[0]) != null) {
                return constructor;
            }
        }
        return null;
    }

    /** Wiring's public no-argument method that builds a {@code service}; null if none does. */
    private static Method serviceOf(Class<?> service) {
        for (Method method : Wiring.class.getMethods()) {
            if (method.getParameterCount() == 0 && method.getReturnType() == service && !Modifier.isStatic(method.getModifiers())) {
                return method;
            }
        }
        return null;
    }

    private static Constructor<?> constructor(Class<?> type, Class<?>... parameters) {
        try {
            Constructor<?> constructor = type.getConstructor(parameters);
            return Modifier.isPublic(constructor.getModifiers()) ? constructor : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** The runtime's choice: the named public method taking (event, Context), (event) or (in, out, Context). */
    private static Method handlerMethod(Class<?> type, TemplateFunction definition) {
        List<Method> candidates = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(definition.handlerMethod()) && !m.isBridge() && !m.isSynthetic())
                .filter(m -> isPojoHandler(m) || isStreamHandler(m))
                // the most specific: a Context parameter, then a declared (not Object) event type
                .sorted(Comparator.comparing((Method m) -> m.getParameterCount() != 2 && !isStreamHandler(m))
                        .thenComparing(m -> m.getParameterCount() > 0 && m.getParameterTypes()[0] == Object.class))
                .toList();
        if (candidates.isEmpty()) {
            throw new IllegalStateException(definition.logicalId() + ": " + type.getName() + " has no public method "
                    + definition.handlerMethod() + "(event, Context), (event) or (InputStream, OutputStream, Context)");
        }
        return candidates.get(0);
    }

    private static boolean isPojoHandler(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return p.length == 1 || (p.length == 2 && p[1] == Context.class);
    }

    private static boolean isStreamHandler(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return p.length == 3 && p[0] == InputStream.class && p[1] == OutputStream.class && p[2] == Context.class;
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializerFor(Class<?> type) {
        // what the runtime does: Lambda's event classes get their mixins, anything else plain Jackson
        if (type.getName().startsWith(EVENTS_PACKAGE)) {
            return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(type, classLoader());
        }
        return (PojoSerializer<Object>) JacksonFactory.getInstance().getSerializer(type);
    }

    public String name() {
        return definition.logicalId();
    }

    public TemplateFunction definition() {
        return definition;
    }

    public Duration timeout() {
        return Duration.ofSeconds(definition.timeoutSeconds());
    }

    /** Calls the handler with an event; a handler error or a timeout is in the answer, never thrown. */
    public Invocation invoke(String eventJson, String trigger) {
        LambdaContext context = new LambdaContext(name(), Duration.ofSeconds(definition.timeoutSeconds()), definition.memorySize(), log);
        Instant started = Instant.now();
        Future<String> call = calls.submit(() -> call(eventJson, context));
        String response = null;
        String error = null;
        try {
            response = call.get(definition.timeoutSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Lambda stops the sandbox; a thread can only be asked to stop
            call.cancel(true);
            error = errorDocument("Sandbox.Timedout", String.format("%s Task timed out after %d.00 seconds",
                    context.getAwsRequestId(), definition.timeoutSeconds()), null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof InvocationTargetException target ? target.getCause() : e.getCause();
            error = errorDocument(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            error = errorDocument("Runtime.Interrupted", "the runner stopped while the function ran", null);
        }
        return new Invocation(name(), trigger, context.getAwsRequestId(), started,
                Duration.between(started, Instant.now()), response, error);
    }

    private String call(String eventJson, Context context) throws Exception {
        byte[] event = eventJson.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (streaming) {
            method.invoke(handler, new ByteArrayInputStream(event), out, context);
            return out.toString(StandardCharsets.UTF_8);
        }
        Object parsed = input.fromJson(new ByteArrayInputStream(event));
        Object result = method.getParameterCount() == 2 ? method.invoke(handler, parsed, context)
                : method.invoke(handler, parsed);
        if (result == null) {
            return "null";
        }
        Class<?> declared = method.getReturnType();
        serializerFor(declared == Object.class ? result.getClass() : declared).toJson(result, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String errorDocument(String type, String message, Throwable cause) {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("errorMessage", message);
        document.put("errorType", type);
        if (cause != null) {
            document.put("stackTrace", Arrays.stream(cause.getStackTrace()).limit(20).map(String::valueOf).toList());
        }
        try {
            return JSON.std.asString(document);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
