/* Splits the ranks into roles: world rank 0 holds the body and the coupler,
 * the others the brain. One rank runs both in one process. */
#include "plan.h"

#include <stdio.h>

int bb_plan_make(const bb_config *cfg, int world_size, int world_rank, bb_plan *p, char *err, size_t cap)
{
    char w[BB_PATH_MAX + 64];
    *p = (bb_plan){.comm = MPI_COMM_WORLD, .world_size = world_size, .world_rank = world_rank};
    p->single_process = world_size == 1;
    int asked = cfg->ranks_brain ? cfg->ranks_brain + cfg->ranks_body : 0;
    if (p->single_process) {
        if (cfg->ranks_brain > 1) {
            snprintf(err, cap, "%s: asks for %d brain ranks + %d body rank, but this run has 1 rank "
                               "(start it with mpirun -np %d)",
                     bb_config_where(cfg, "ranks.brain", w, sizeof w), cfg->ranks_brain, cfg->ranks_body, asked);
            return 2;
        }
        p->n_brain = 1;
    } else {
        if (asked > world_size) {
            snprintf(err, cap, "%s: asks for %d ranks (%d brain + %d body), but only %d were given",
                     bb_config_where(cfg, "ranks.brain", w, sizeof w), asked, cfg->ranks_brain, cfg->ranks_body,
                     world_size);
            return 2;
        }
        if (asked && asked < world_size) {
            snprintf(err, cap, "%s: asks for %d ranks (%d brain + %d body), but %d were given; "
                               "%d would sit idle (use 'auto' to take them all)",
                     bb_config_where(cfg, "ranks.brain", w, sizeof w), asked, cfg->ranks_brain, cfg->ranks_body,
                     world_size, world_size - asked);
            return 2;
        }
        p->n_brain = world_size - 1;
    }
    p->role = (p->single_process || world_rank == BB_BODY_RANK) ? BB_ROLE_BODY : BB_ROLE_BRAIN;
    p->brain_index = p->single_process ? 0 : world_rank - 1;
    p->n_exchanges = (uint64_t)(cfg->duration_ns / cfg->exchange_ns);
    p->brain_steps_per_exchange = (uint32_t)(cfg->exchange_ns / cfg->brain_dt_ns);
    p->body_steps_per_exchange = (uint32_t)(cfg->exchange_ns / cfg->body_dt_ns);
    return 0;
}

void bb_plan_print(const bb_plan *p, const bb_config *cfg, FILE *f)
{
    fprintf(f, "plan:\n");
    fprintf(f, "  ranks: %d\n", p->world_size);
    if (p->single_process)
        fprintf(f, "  layout: single process (brain and body in rank 0)\n");
    else
        fprintf(f, "  layout: rank 0 body+coupler, ranks 1-%d brain\n", p->n_brain);
    fprintf(f, "  brain_ranks: %d\n", p->n_brain);
    fprintf(f, "  exchanges: %llu\n", (unsigned long long)p->n_exchanges);
    fprintf(f, "  exchange_ms: %g\n", cfg->exchange_ms);
    fprintf(f, "  brain_steps_per_exchange: %u\n", p->brain_steps_per_exchange);
    fprintf(f, "  body_steps_per_exchange: %u\n", p->body_steps_per_exchange);
    fprintf(f, "  output_cells: %u\n", cfg->output_cells);
    fprintf(f, "  max_cells_per_brain_rank: %u\n",
            cfg->output_cells / (uint32_t)p->n_brain + (cfg->output_cells % (uint32_t)p->n_brain ? 1u : 0u));
}
