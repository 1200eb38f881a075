// Entry of blog.html: the same shared chunk as main.js, and its own CSS.
import { greet } from './shared.js';
import './blog.css';

greet('blog');
