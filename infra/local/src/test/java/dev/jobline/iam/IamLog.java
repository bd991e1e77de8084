package dev.jobline.iam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the checked clients saw. For the running test: its calls and the calls no policy allowed, which
 * {@link IamPolicyExtension} turns into a failure. For the whole run: which grants of the functions' Policies
 * some call used, which {@link LeastPrivilegeReport} writes to {@value #REPORT} when the test JVM ends.
 */
public final class IamLog {
    static final String REPORT = "target/iam-least-privilege.md";

    /** One distinct call of a function (each ARN as the stack names it locally). */
    public record Call(String function, IamRequest request, boolean allowed) {
    }

    /** A call the function's role would not allow in AWS. */
    public record Violation(String function, IamRequest request, String why) {
        @Override
        public String toString() {
            return function + " is not allowed " + request.action() + " on " + request.resource() + ": " + why;
        }
    }

    /** One line of the whole run's tally, with the provisioning's prefix taken out of the ARNs. */
    record Exercised(String function, String action, String resource) implements Comparable<Exercised> {
        @Override
        public int compareTo(Exercised other) {
            return toString().compareTo(other.toString());
        }

        @Override
        public String toString() {
            return function + " " + action + " " + resource;
        }
    }

    private static final Set<Call> calls = new LinkedHashSet<>();
    private static final List<Violation> violations = new ArrayList<>();
    private static final Map<Statement.Grant, Long> grantUses = new TreeMap<>(LeastPrivilegeReport.GRANT_ORDER);
    private static final Map<Exercised, Long> exercised = new TreeMap<>();
    private static final Set<Exercised> outsideStack = new TreeSet<>();
    private static long checked;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(IamLog::writeReport, "iam-least-privilege-report"));
    }

    private IamLog() {
    }

    /** A test starts: what an earlier test left (a late background call) is not its business. */
    static synchronized void startTest() {
        calls.clear();
        violations.clear();
    }

    /** This test's distinct calls so far. */
    public static synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    /** This test's violations so far, which are then no longer reported: for a test that expects them. */
    public static synchronized List<Violation> takeViolations() {
        List<Violation> taken = List.copyOf(violations);
        violations.clear();
        return taken;
    }

    /** The grants a function's role declares (logical ARNs), each counted as unused until a call uses it. */
    static synchronized void declared(List<Statement.Grant> grants) {
        grants.forEach(grant -> grantUses.putIfAbsent(grant, 0L));
    }

    static synchronized void checked(String function, IamRequest request, IamRequest logical, FunctionRole.Decision decision,
            StackArns stack) {
        checked++;
        calls.add(new Call(function, request, decision.allowed()));
        exercised.merge(new Exercised(function, logical.action(), logical.resource()), 1L, Long::sum);
        if (!decision.allowed()) {
            violation(new Violation(function, request, "no statement of its role allows it"));
            return;
        }
        for (Statement.Grant grant : decision.grants()) {
            grantUses.computeIfPresent(new Statement.Grant(grant.function(), grant.source(), grant.action(),
                    stack.logical(grant.resource())), (key, uses) -> uses + 1);
        }
    }

    static synchronized void violation(Violation violation) {
        violations.add(violation);
    }

    /** A call to a table or queue that is not the stack's: a test pointed the function at a missing one. */
    static synchronized void outsideStack(String function, IamRequest logical) {
        outsideStack.add(new Exercised(function, logical.action(), logical.resource()));
    }

    /** A call this check cannot map to IAM: a failure too, so the mapping grows with the code. */
    static synchronized void unmodelled(String function, String operation, String why) {
        violation(new Violation(function, new IamRequest(operation, "?"), why));
    }

    private static synchronized void writeReport() {
        if (grantUses.isEmpty()) {
            return;
        }
        LeastPrivilegeReport.write(Path.of(REPORT), checked, grantUses, exercised, outsideStack);
    }
}
