/*
 * list.h - intrusive circular doubly-linked list (header only).
 *
 * Modelled on libuv's struct uv__queue: the node lives inside the element, so
 * linking never allocates and an element can unlink itself in O(1). A head is a
 * node that points to itself when the list is empty.
 *
 * Invariants: an initialised node is never NULL-linked; list_del() leaves the
 * node self-linked, so deleting twice is harmless.
 */
#ifndef PWGEND_LIST_H
#define PWGEND_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list {
	struct list *next;
	struct list *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

/* The element that contains `node` as its member `member`. */
#define list_entry(node, type, member) \
	((type *)((char *)(node) - offsetof(type, member)))

static inline void list_init(struct list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool list_empty(const struct list *head)
{
	return head->next == head;
}

static inline void list_add_tail(struct list *head, struct list *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void list_del(struct list *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = node;
	node->prev = node;
}

/* Remove and return the first node, or NULL when the list is empty. */
static inline struct list *list_pop(struct list *head)
{
	struct list *node = head->next;

	if (node == head)
		return NULL;
	list_del(node);
	return node;
}

/* Move every node of `from` to the tail of `to`; `from` ends up empty. */
static inline void list_splice_tail(struct list *to, struct list *from)
{
	if (list_empty(from))
		return;
	from->next->prev = to->prev;
	to->prev->next = from->next;
	from->prev->next = to;
	to->prev = from->prev;
	list_init(from);
}

#endif
