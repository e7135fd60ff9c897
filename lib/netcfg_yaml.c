/* netcfg: netplan's YAML (with cloud-init's 50-cloud-init.yaml among it),
 * and whether cloud-init may write the network configuration again. */
#include "netcfg.h"
#include "nics.h"
#include "yamlbound.h"
#include "err.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static yaml_node_t *node(yaml_document_t *d, int id)
{
	return id ? yaml_document_get_node(d, id) : NULL;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(node(d, p->key));
		if (k && !strcmp(k, key))
			return node(d, p->value);
	}
	return NULL;
}

static int truthy(const char *v)
{
	return v && (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "True"));
}

/* Each scalar of a sequence node into CB(s, line). */
static int seq_each(yaml_document_t *d, yaml_node_t *seq, char (*out)[64], int max, int *n)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return 0;
	for (yaml_node_item_t *it = seq->data.sequence.items.start; it < seq->data.sequence.items.top && *n < max; it++) {
		const char *s = scalar(node(d, *it));
		if (s)
			snprintf(out[(*n)++], 64, "%s", s);
	}
	return 0;
}

static void routes(yaml_document_t *d, yaml_node_t *rs, struct nc_iface *f)
{
	if (!rs || rs->type != YAML_SEQUENCE_NODE)
		return;
	for (yaml_node_item_t *it = rs->data.sequence.items.start; it < rs->data.sequence.items.top; it++) {
		yaml_node_t *r = node(d, *it);
		const char *to = scalar(get(d, r, "to")), *via = scalar(get(d, r, "via"));
		if (to && via && (!strcmp(to, "default") || !strcmp(to, "0.0.0.0/0"))) {
			snprintf(f->gw4, sizeof(f->gw4), "%s", via);
			f->gw_line = (int)get(d, r, "via")->start_mark.line + 1;
			f->default_route = 1;
			f->gw_onlink = truthy(scalar(get(d, r, "on-link")));
		}
	}
}

static void one_iface(yaml_document_t *d, yaml_node_t *v, struct nc_iface *f, const char *kind)
{
	yaml_node_t *m = get(d, v, "match"), *x;
	const char *s;
	snprintf(f->kind, sizeof(f->kind), "%s", kind);
	if ((x = get(d, m, "macaddress")) && (s = scalar(x)) && !mac_norm(s, f->mac))
		f->mac_line = (int)x->start_mark.line + 1;
	if (m) {   /* with a match, the ID is only a label */
		f->name[0] = 0, f->name_line = 0;
		if ((x = get(d, m, "name")) && (s = scalar(x))) {
			snprintf(f->name, sizeof(f->name), "%s", s);
			f->name_glob = strpbrk(s, "*?[") != NULL;
			f->name_line = (int)x->start_mark.line + 1;
		}
	}
	if ((s = scalar(get(d, v, "set-name"))))
		snprintf(f->set_name, sizeof(f->set_name), "%s", s);
	f->dhcp4 = truthy(scalar(get(d, v, "dhcp4")));
	f->default_route |= f->dhcp4;
	seq_each(d, get(d, v, "addresses"), f->addr, NC_MAX_ADDR, &f->naddr);
	if ((x = get(d, v, "gateway4")) && (s = scalar(x))) {
		snprintf(f->gw4, sizeof(f->gw4), "%s", s);
		f->gw_line = (int)x->start_mark.line + 1;
		f->default_route = 1;
	}
	routes(d, get(d, v, "routes"), f);
	yaml_node_t *ns = get(d, get(d, v, "nameservers"), "addresses");
	f->ndns = ns && ns->type == YAML_SEQUENCE_NODE ? (int)(ns->data.sequence.items.top - ns->data.sequence.items.start) : 0;
	if ((x = get(d, v, "interfaces"))) {
		seq_each(d, x, f->members, NC_MAX_MEMBERS, &f->nmembers);
		f->member_line = (int)x->start_mark.line + 1;
	}
	if ((x = get(d, v, "link")) && (s = scalar(x))) {
		snprintf(f->members[f->nmembers++], 64, "%s", s);
		f->member_line = (int)x->start_mark.line + 1;
	}
}

static int yaml_file(const struct fsrc *src, struct netcfg *c, const char *path, yaml_document_t *doc)
{
	char *text, err[300];
	size_t len;
	int r = fsrc_read(src, path, &text, &len, YB_MAX_BYTES);
	if (r == -ENOENT)
		return 1;
	if (r)
		return r == -ENOMEM ? r : (nc_unread(c, path, r == -EFBIG ? "larger than 4 MiB" : strerror(-r)), 1);
	r = yb_load(text, len, doc, err, sizeof(err));
	free(text);
	if (r == -ENOMEM)
		return r;
	if (r) {
		nc_unread(c, path, err);
		return 1;
	}
	return 0;
}

static int netplan_doc(struct netcfg *c, const char *path, yaml_document_t *d)
{
	static const char *const sections[][2] = { { "ethernets", "ether" }, { "bonds", "bond" }, { "bridges", "bridge" },
						    { "vlans", "vlan" } };
	yaml_node_t *net = get(d, yaml_document_get_root_node(d), "network");
	const char *rend = scalar(get(d, net, "renderer"));
	if (rend)
		snprintf(c->netplan_renderer, sizeof(c->netplan_renderer), "%s", rend);
	int ci = fs_endswith(path, "50-cloud-init.yaml");
	for (size_t k = 0; k < 4; k++) {
		yaml_node_t *sec = get(d, net, sections[k][0]);
		if (!sec || sec->type != YAML_MAPPING_NODE)
			continue;
		for (yaml_node_pair_t *p = sec->data.mapping.pairs.start; p < sec->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = node(d, p->key);
			const char *id = scalar(kn);
			if (!id)
				continue;
			struct nc_iface *f = nc_add(c, NC_NETPLAN, path, (int)kn->start_mark.line + 1, id);
			if (!f)
				return -ENOMEM;
			f->from_cloudinit = ci;
			one_iface(d, node(d, p->value), f, sections[k][1]);
		}
	}
	return 0;
}

int nc_read_netplan(const struct fsrc *src, struct netcfg *c)
{
	static const char *const dirs[] = { "/run/netplan", "/etc/netplan", "/lib/netplan" };
	char *seen[3 * NC_MAX_FILES];
	int ns = 0, r = 0;
	char **all[3] = { NULL, NULL, NULL };
	size_t n[3] = { 0, 0, 0 };
	for (int k = 0; k < 3; k++) {
		char pat[64];
		snprintf(pat, sizeof(pat), "%s/*.yaml", dirs[k]);
		if (fsrc_glob(src, pat, NC_MAX_FILES, &all[k], &n[k]))
			all[k] = NULL, n[k] = 0;
		for (size_t i = 0; i < n[k]; i++) {   /* /run hides /etc hides /lib, by file name */
			int dup = 0;
			for (int j = 0; j < ns; j++)
				dup |= !strcmp(strrchr(seen[j], '/'), strrchr(all[k][i], '/'));
			if (!dup)
				seen[ns++] = all[k][i];
		}
	}
	for (int i = 0; i < ns; i++)   /* merged in file-name order */
		for (int j = i + 1; j < ns; j++)
			if (strcmp(strrchr(seen[i], '/'), strrchr(seen[j], '/')) > 0) {
				char *t = seen[i];
				seen[i] = seen[j], seen[j] = t;
			}
	for (int i = 0; i < ns && r >= 0; i++) {
		yaml_document_t doc;
		r = yaml_file(src, c, seen[i], &doc);
		if (r == 0) {
			r = netplan_doc(c, seen[i], &doc);
			yaml_document_delete(&doc);
		}
	}
	for (int k = 0; k < 3; k++)
		if (all[k])
			tree_free_list(all[k], n[k]);
	return r < 0 ? r : 0;
}

int nc_read_cloudinit(const struct fsrc *src, struct netcfg *c)
{
	struct svc_state st;
	c->cloudinit_enabled = !fsrc_exists(src, "/etc/cloud/cloud-init.disabled") &&
			       ((!svc_state(src, c->init, "cloud-init", &st) && st.enabled) ||
				(!svc_state(src, c->init, "cloud-init-local", &st) && st.enabled));
	char **paths = NULL;
	size_t n = 0;
	if (fsrc_glob(src, "/etc/cloud/cloud.cfg.d/*.cfg", NC_MAX_FILES, &paths, &n))
		paths = NULL, n = 0;
	for (int i = -1; i < (int)n; i++) {   /* cloud.cfg first; later files win */
		const char *p = i < 0 ? "/etc/cloud/cloud.cfg" : paths[i];
		yaml_document_t doc;
		int r = yaml_file(src, c, p, &doc);
		if (r < 0) {
			tree_free_list(paths, n);
			return r;
		}
		if (r)
			continue;
		yaml_node_t *cfg = get(&doc, get(&doc, yaml_document_get_root_node(&doc), "network"), "config");
		const char *v = scalar(cfg);
		if (v) {
			c->cloudinit_net_disabled = !strcmp(v, "disabled");
			snprintf(c->cloudinit_where, sizeof(c->cloudinit_where), "%s:%d", p, (int)cfg->start_mark.line + 1);
		}
		yaml_document_delete(&doc);
	}
	if (paths)
		tree_free_list(paths, n);
	return 0;
}
