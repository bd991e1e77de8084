package dev.jobline.api;

import dev.jobline.reconcile.Reconciliation;
import dev.jobline.store.ReconcileRun;
import java.util.List;

/** {@code /admin/reconcile}: an operator starts a reconciliation (after purging a queue, say) or looks at the last one. */
final class ReconcileApi {
    static final String PATH = "/admin/reconcile";

    private final Reconciliation reconciliation;

    ReconcileApi(Reconciliation reconciliation) {
        this.reconciliation = reconciliation;
    }

    List<Route> routes() {
        return List.of(
                new Route("POST", PATH, Route.Access.ADMIN, (request, path) -> start()),
                new Route("GET", PATH, Route.Access.ADMIN, (request, path) -> current()));
    }

    /** 202: the sweeper's invocations carry the run on, every minute, at the configured read rate. */
    private HttpResponse start() {
        try {
            ReconcileRun run = reconciliation.start(ReconcileRun.Trigger.ADMIN);
            return HttpResponse.json(202, Reconciliation.view(run)).withHeader("location", PATH);
        } catch (Reconciliation.RunActive e) {
            throw new Problem(409, "reconcile-running", "A reconciliation is running",
                    "reconciliation " + e.run().runId() + " is running since " + e.run().startedAt() + "; GET " + PATH
                            + " follows it, and a new one can start when it is DONE")
                    .with("runId", e.run().runId());
        }
    }

    private HttpResponse current() {
        ReconcileRun run = reconciliation.current()
                .orElseThrow(() -> Problem.notFound("no reconciliation has run yet; POST " + PATH + " starts one"));
        return HttpResponse.json(200, Reconciliation.view(run));
    }
}
